import { ConsumerLostError, createMemoryQueue, type Queue, type QueueMessage } from '@sluice/queue';
import type { ObjectStore } from '@sluice/store';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from './checkpoint.js';
import { createForwarder, type Forwarder } from './forwarder.js';
import { gzipLevel6 } from './node.js';
import type { ForwarderOptionsInput } from './options.js';
import {
  bodyText,
  cleanupsAfterEach,
  FAST,
  message,
  NOW,
  readAllLines,
  readFiles,
  tempFsStore,
  waitFor,
} from './test-support.js';

const cleanups = cleanupsAfterEach();

interface Setup {
  queue: Queue;
  store: ObjectStore;
  forwarder: Forwarder;
  clock: { now: number };
  /** Appends, then waits until the forwarder has read everything appended so far. */
  feed(messages: QueueMessage[]): Promise<void>;
}

let appended = 0;

async function setup(options: ForwarderOptionsInput = {}): Promise<Setup> {
  const queue = createMemoryQueue();
  const { store, cleanup } = await tempFsStore();
  const clock = { now: NOW };
  const forwarder = createForwarder({
    consumer: await queue.consumer('forwarder'),
    store,
    compress: gzipLevel6,
    now: () => clock.now,
    options: { ...FAST, ...options },
  });
  const stopped = new AbortController();
  const running = forwarder.run(stopped.signal);
  cleanups.push(async () => {
    stopped.abort();
    await running;
    await cleanup();
  });
  appended = 0;
  return {
    queue,
    store,
    forwarder,
    clock,
    async feed(messages) {
      await queue.append(messages);
      appended += messages.length;
      await waitFor(() => forwarder.stats().read === appended);
    },
  };
}

/** Entries a fresh consumer of the same name would read: what is not acknowledged. */
async function unacknowledged(queue: Queue): Promise<number> {
  return (await (await queue.consumer('forwarder')).read(100_000, 0)).length;
}

describe('createForwarder', () => {
  it("writes each event into the dt=/hh= folder of its event time, yesterday's in yesterday's", async () => {
    const { store, forwarder, feed } = await setup();
    const today = message(0, { time: Date.UTC(2026, 10, 24, 10, 15) });
    const yesterday = message(1, { time: Date.UTC(2026, 10, 23, 23, 59, 59) });
    const sameHour = message(2, { time: Date.UTC(2026, 10, 24, 10, 59) });
    const otherSource = message(3, { source: 'blog', time: Date.UTC(2026, 10, 24, 9) });
    await feed([today, yesterday, sameHour, otherSource]);
    await forwarder.stop();

    expect(await readFiles(store)).toEqual([
      {
        key: 'events/source=blog/dt=2026-11-24/hh=09/00000000000000000003.ndjson.gz',
        lines: [bodyText(otherSource)],
      },
      {
        key: 'events/source=shop/dt=2026-11-23/hh=23/00000000000000000001.ndjson.gz',
        lines: [bodyText(yesterday)],
      },
      {
        key: 'events/source=shop/dt=2026-11-24/hh=10/00000000000000000000.ndjson.gz',
        lines: [bodyText(today), bodyText(sameHour)],
      },
    ]);
  });

  it('stores the bodies byte for byte, each once, and acknowledges them all on stop', async () => {
    const { queue, store, forwarder, feed } = await setup();
    const odd = {
      ...message(0),
      body: new TextEncoder().encode('{ "messageId" : "m0", "é":"☃" }'),
    };
    const messages = [odd, message(1), message(2), message(1), message(3)];
    await feed(messages);
    expect(await unacknowledged(queue)).toBe(5);
    await forwarder.stop();

    // The repeat of m1 was still in the same buffer: dropped.
    expect(await readAllLines(store)).toEqual([0, 1, 2, 4].map((i) => bodyText(messages[i]!)));
    expect(forwarder.stats()).toMatchObject({
      read: 5,
      repeatsDropped: 1,
      linesWritten: 4,
      acked: 5,
    });
    expect(await unacknowledged(queue)).toBe(0);
  });

  it('quarantines invalid messages by source and day, apart from the events', async () => {
    const { store, forwarder, feed } = await setup();
    const bad = message(0, { kind: 'quarantine', time: Date.UTC(2026, 10, 23, 8) });
    await feed([bad, message(1)]);
    await forwarder.stop();

    const files = await readFiles(store);
    expect(files.map((f) => f.key)).toEqual([
      'events/source=shop/dt=2026-11-24/hh=10/00000000000000000001.ndjson.gz',
      'quarantine/source=shop/dt=2026-11-23/00000000000000000000.ndjson.gz',
    ]);
    expect(files[1]!.lines).toEqual([bodyText(bad)]);
  });

  it('cuts a partition into several files by size, each named by its first position', async () => {
    const { store, forwarder, feed } = await setup({ maxFileBytes: 300 });
    const messages = Array.from({ length: 40 }, (_, n) => message(n));
    await feed(messages);
    // About 36 bytes a line: 8 lines a file, the last one cut by stop().
    await waitFor(() => forwarder.stats().filesWritten === 4);
    await forwarder.stop();

    const files = await readFiles(store);
    expect(files.length).toBe(5);
    for (const file of files) {
      const first = JSON.parse(file.lines[0]!) as { n: number };
      expect(file.key.endsWith(`/${String(first.n).padStart(20, '0')}.ndjson.gz`)).toBe(true);
      const bytes = file.lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
      expect(bytes).toBeLessThanOrEqual(300);
    }
    expect(files.flatMap((f) => f.lines)).toEqual(messages.map(bodyText));
  });

  it('cuts a file once its oldest line reaches the maximum age, partition by partition', async () => {
    const { store, forwarder, clock, feed } = await setup({ maxFileAgeMs: 120_000 });
    const early = message(0, { time: Date.UTC(2026, 10, 24, 9) });
    await feed([early, message(1)]);
    clock.now += 60_000;
    const late = message(2, { time: Date.UTC(2026, 10, 24, 8) });
    await feed([late]);
    expect(await readFiles(store)).toEqual([]);

    clock.now += 60_000;
    await waitFor(() => forwarder.stats().filesWritten === 2);
    expect((await readFiles(store)).map((f) => f.lines.length)).toEqual([1, 1]);
    // The 08:00 partition opened a minute later: it waits for its own two minutes.
    expect(forwarder.stats()).toMatchObject({ bufferedLines: 1, bufferedPartitions: 1 });

    clock.now += 60_000;
    await waitFor(() => forwarder.stats().filesWritten === 3);
    expect(await readAllLines(store, 'events/source=shop/dt=2026-11-24/hh=08/')).toEqual([
      bodyText(late),
    ]);
  });

  it('flushes the largest partition early when the buffers hold too much', async () => {
    const { store, forwarder, feed } = await setup({ maxBufferedBytes: 900 });
    const small = message(0, { time: Date.UTC(2026, 10, 24, 1) });
    // 34 + 4 x 234 bytes: the fourth big line goes over 900.
    const big = Array.from({ length: 4 }, (_, i) => message(i + 1, { pad: 200 }));
    await feed([small, ...big]);
    await waitFor(() => forwarder.stats().filesWritten === 1);

    const files = await readFiles(store);
    expect(files.map((f) => f.key)).toEqual([
      'events/source=shop/dt=2026-11-24/hh=10/00000000000000000001.ndjson.gz',
    ]);
    expect(forwarder.stats()).toMatchObject({
      bufferedLines: 1,
      bufferedBytes: small.body.length + 1,
    });
  });

  it('drops a repeat whose first copy is already in an uploaded file, but keeps every quarantined message', async () => {
    const { store, forwarder, feed } = await setup();
    await feed([message(0), message(1)]);
    await forwarder.flushAll();
    const bad = message(3, { id: 'q', kind: 'quarantine' });
    await feed([message(2, { id: 'm1' }), bad, bad]);
    await forwarder.stop();

    expect(await readAllLines(store, 'events/')).toEqual([
      bodyText(message(0)),
      bodyText(message(1)),
    ]);
    expect(await readAllLines(store, 'quarantine/')).toEqual([bodyText(bad), bodyText(bad)]);
    expect(forwarder.stats()).toMatchObject({ read: 5, repeatsDropped: 1, acked: 5 });
  });

  it('keeps the checkpoint small: watermarks of finished partitions are forgotten', async () => {
    const { store, forwarder, feed } = await setup({ maxFileBytes: 50 });
    // One partition per hour of a day, each closed by size (one line > 50 bytes) at once.
    await feed(
      Array.from({ length: 24 }, (_, n) =>
        message(n, { time: Date.UTC(2026, 10, 24, n), pad: 20 }),
      ),
    );
    await forwarder.stop();

    expect((await readFiles(store)).length).toBe(24);
    const watermarks = await loadCheckpoint(store, 'forwarder');
    expect(watermarks).toEqual(new Map([['events/source=shop/dt=2026-11-24/hh=23/', 23]]));
  });
});

describe('a consumer taken over by another forwarder', () => {
  it('stops at once with the error, uploading and acknowledging nothing it held', async () => {
    const queue = createMemoryQueue();
    const { store, cleanup } = await tempFsStore();
    cleanups.push(cleanup);
    await queue.append([message(0), message(1)]);
    const inner = await queue.consumer('forwarder');
    let reads = 0;
    // The lease of a JetStream shard expiring, as the NATS consumer reports it.
    const consumer = {
      read: (max: number, waitMs: number) =>
        ++reads === 1
          ? inner.read(max, waitMs)
          : Promise.reject(new ConsumerLostError('lease lost, another forwarder may own it now')),
      ack: (entries: Parameters<typeof inner.ack>[0]) => inner.ack(entries),
      close: () => inner.close(),
    };
    const forwarder = createForwarder({ consumer, store, compress: gzipLevel6, options: FAST });

    await expect(forwarder.run()).rejects.toBeInstanceOf(ConsumerLostError);
    expect(forwarder.stats()).toMatchObject({ read: 2, acked: 0 });
    expect(await readFiles(store)).toEqual([]);
    expect(await unacknowledged(queue)).toBe(2);
  });
});
