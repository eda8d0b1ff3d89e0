// A crash is simulated by aborting a forwarder (no stop, no flush) and closing the queue,
// then starting a new forwarder on the same log directory and object store. Faults are
// injected by wrapping the real store or consumer so that one kind of call fails.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LogQueue, openLogQueue, type QueueConsumer, type QueueMessage } from '@sluice/queue';
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
  isRecordingSave,
  message,
  readFiles,
  runUntilCrash,
  type StoredFile,
  tempFsStore,
  waitFor,
} from './test-support.js';

const cleanups = cleanupsAfterEach();

async function tempLogDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-forwarder-log-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function failingPuts(
  store: ObjectStore,
  fails: (key: string, body: Uint8Array) => boolean,
): ObjectStore {
  return {
    put: (key, body, options) =>
      fails(key, body)
        ? Promise.reject(new Error(`injected: put ${key} failed`))
        : store.put(key, body, options),
    get: (key) => store.get(key),
    list: (prefix) => store.list(prefix),
    delete: (key) => store.delete(key),
  };
}

/** Gives the first read at most `entries` entries, then finds nothing more (an idle queue). */
function readingOnly(entries: number): (consumer: QueueConsumer) => QueueConsumer {
  return (consumer) => {
    let reads = 0;
    return {
      read: (max, waitMs) =>
        ++reads === 1
          ? consumer.read(Math.min(max, entries), waitMs)
          : new Promise((resolve) => setTimeout(() => resolve([]), Math.min(waitMs, 20))),
      ack: (done) => consumer.ack(done),
      close: () => consumer.close(),
    };
  };
}

/** Lets the first `succeeding` ack calls through, then fails every one. */
function failingAcks(consumer: QueueConsumer, succeeding = 0): QueueConsumer {
  let calls = 0;
  return {
    read: (max, waitMs) => consumer.read(max, waitMs),
    ack: (entries) =>
      ++calls > succeeding
        ? Promise.reject(new Error('injected: ack failed'))
        : consumer.ack(entries),
    close: () => consumer.close(),
  };
}

interface Run {
  queue: LogQueue;
  forwarder: Forwarder;
  /** Waits until the forwarder has read every entry the log holds past where it started. */
  readAll(): Promise<void>;
  crash(): Promise<void>;
}

async function startRun(
  dir: string,
  store: ObjectStore,
  options: ForwarderOptionsInput,
  wrapConsumer: (consumer: QueueConsumer) => QueueConsumer = (c) => c,
): Promise<Run> {
  const queue = await openLogQueue({ dir, durability: 'none' });
  const consumer = await queue.consumer('forwarder');
  const startedAt = consumer.committed;
  const forwarder = createForwarder({
    consumer: wrapConsumer(consumer),
    store,
    compress: gzipLevel6,
    options: { ...FAST, ...options },
  });
  const crash = runUntilCrash(forwarder, () => queue.close());
  cleanups.push(crash);
  return {
    queue,
    forwarder,
    readAll: () => waitFor(() => forwarder.stats().read === queue.stats().nextPosition - startedAt),
    crash,
  };
}

/** Messages alternating between the 10:00 and the 09:00 partition, ~44 bytes a line. */
function interleaved(count: number): QueueMessage[] {
  return Array.from({ length: count }, (_, n) =>
    message(n, { time: Date.UTC(2026, 10, 24, n % 2 === 0 ? 10 : 9), pad: 10 }),
  );
}

const HH10 = 'events/source=shop/dt=2026-11-24/hh=10/';
const HH09 = 'events/source=shop/dt=2026-11-24/hh=09/';

/** Each partition's lines must be exactly its messages, once each, in queue order. */
function expectEachLineOnce(files: StoredFile[], messages: QueueMessage[]): void {
  for (const [partition, hour] of [
    [HH10, 10],
    [HH09, 9],
  ] as const) {
    const lines = files.filter((f) => f.key.startsWith(partition)).flatMap((f) => f.lines);
    const wanted = messages.filter((m) => new Date(m.time).getUTCHours() === hour).map(bodyText);
    expect(lines).toEqual(wanted);
  }
}

/**
 * First run: the 10:00 file [0,2,4,6] is uploaded, recorded and acknowledged; then recording
 * fails, so the 09:00 file [1,3,5,7] is uploaded but not recorded; crash. Returns that file.
 */
async function crashWithUnrecordedFile(
  dir: string,
  store: ObjectStore,
  messages: QueueMessage[],
): Promise<StoredFile> {
  let recordingSaves = 0;
  const flaky = failingPuts(
    store,
    (key, body) => isRecordingSave(key, body) && ++recordingSaves > 1,
  );
  const first = await startRun(dir, flaky, { maxFileBytes: 200 });
  await first.queue.append(messages);
  await waitFor(() => first.forwarder.stats().failures > 0);
  await first.crash();
  const afterCrash = await readFiles(store);
  expect(afterCrash).toHaveLength(2);
  const [unrecorded, ...more] = await unrecordedFiles(store, afterCrash);
  expect(more).toEqual([]);
  if (!unrecorded) throw new Error('no file was left unrecorded');
  return unrecorded;
}

/** Files that no checkpoint watermark covers: uploaded, but not recorded. */
async function unrecordedFiles(store: ObjectStore, files: StoredFile[]): Promise<StoredFile[]> {
  const watermarks = await loadCheckpoint(store, 'forwarder');
  return files.filter((file) => {
    const cut = file.key.lastIndexOf('/') + 1;
    const first = Number(file.key.slice(cut, cut + 20));
    return !(first <= (watermarks.get(file.key.slice(0, cut)) ?? -1));
  });
}

describe('a forwarder restarted after a crash', () => {
  it.each([
    ['shorter', 150],
    ['longer', 1_000],
  ])(
    'writes a file uploaded but not recorded again with the same lines, though the re-run would cut %s',
    async (_cut, secondMaxFileBytes) => {
      const dir = await tempLogDir();
      const { store, cleanup } = await tempFsStore();
      cleanups.push(cleanup);
      const messages = interleaved(40);
      const unrecorded = await crashWithUnrecordedFile(dir, store, messages);

      // Second run: its sizes would cut elsewhere, but the same key gets the same lines.
      const second = await startRun(dir, store, { maxFileBytes: secondMaxFileBytes });
      await second.readAll();
      await second.forwarder.stop();
      await second.crash();

      const files = await readFiles(store);
      expectEachLineOnce(files, messages);
      expect(files.find((f) => f.key === unrecorded.key)?.lines).toEqual(unrecorded.lines);
      // Reading resumed at position 1: 2, 4 and 6 were read again and skipped, being in a file.
      expect(second.forwarder.stats().skipped).toBe(3);
    },
  );

  it('keeps a file uploaded but not recorded whole when the re-run stops before reading all of it', async () => {
    const dir = await tempLogDir();
    const { store, cleanup } = await tempFsStore();
    cleanups.push(cleanup);
    const messages = interleaved(40);
    const unrecorded = await crashWithUnrecordedFile(dir, store, messages);

    // Second run: it reads 1, 2 and 3 (of the file's 1, 3, 5, 7) and is stopped.
    const second = await startRun(dir, store, { maxFileBytes: 200 }, readingOnly(3));
    await waitFor(() => second.forwarder.stats().read === 3);
    await second.forwarder.stop();
    await second.crash();
    const afterStop = await readFiles(store);
    expect(afterStop.find((f) => f.key === unrecorded.key)?.lines).toEqual(unrecorded.lines);
    expect(second.forwarder.stats().filesWritten).toBe(0);

    // Third run: 1 and 3 were left unacknowledged, so it writes the file and the rest.
    const third = await startRun(dir, store, { maxFileBytes: 200 });
    await third.readAll();
    await third.forwarder.stop();
    await third.crash();
    expectEachLineOnce(await readFiles(store), messages);
  });

  it('skips what a checkpointed file holds when the crash came before the acknowledgement', async () => {
    const dir = await tempLogDir();
    const { store, cleanup } = await tempFsStore();
    cleanups.push(cleanup);
    const messages = interleaved(40);

    const first = await startRun(dir, store, { maxFileBytes: 200 }, (c) => failingAcks(c));
    await first.queue.append(messages);
    await waitFor(() => first.forwarder.stats().failures > 0);
    await first.crash();
    const afterCrash = await readFiles(store);
    expect(afterCrash).toHaveLength(1);
    expect(await unrecordedFiles(store, afterCrash)).toEqual([]);

    const second = await startRun(dir, store, { maxFileBytes: 130 });
    await second.readAll();
    await second.forwarder.stop();
    await second.crash();

    expectEachLineOnce(await readFiles(store), messages);
    expect(second.forwarder.stats()).toMatchObject({
      skipped: afterCrash[0]!.lines.length,
      acked: 40,
    });

    // Everything is acknowledged now: a restart would read nothing.
    const reopened = await openLogQueue({ dir, durability: 'none' });
    expect((await reopened.consumer('forwarder')).committed).toBe(40);
    await reopened.close();
  });

  it('keeps the watermark of a file whose range still has unacknowledged entries of another partition', async () => {
    const dir = await tempLogDir();
    const { store, cleanup } = await tempFsStore();
    cleanups.push(cleanup);
    const hh09 = (n: number) => message(n, { time: Date.UTC(2026, 10, 24, 9), pad: 10 });
    // 09:00 gets 0, 2, 3 (together exactly maxFileBytes: uploaded and acknowledged at once);
    // 10:00 gets 1, which stays buffered, so position 1 is the lowest unacknowledged.
    const messages = [hh09(0), message(1, { pad: 10 }), hh09(2), hh09(3)];
    const maxFileBytes = [0, 2, 3].reduce((sum, i) => sum + messages[i]!.body.length + 1, 0);

    const first = await startRun(dir, store, { maxFileBytes }, (c) => failingAcks(c, 1));
    await first.queue.append(messages);
    await first.readAll();
    await waitFor(() => first.forwarder.stats().acked === 3);
    // Stop uploads the 10:00 file and saves the checkpoint; its ack fails: crash there.
    void first.forwarder.stop();
    await waitFor(() => first.forwarder.stats().failures > 0);
    await first.crash();

    // Reading resumes at 1, inside the 09:00 file's range: 2 and 3 must be skipped.
    const second = await startRun(dir, store, { maxFileBytes });
    await second.readAll();
    await second.forwarder.stop();
    await second.crash();

    expect(second.forwarder.stats()).toMatchObject({ read: 3, skipped: 3 });
    expectEachLineOnce(await readFiles(store), messages);
  });
});
