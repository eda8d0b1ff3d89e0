// The hand-off of `--workers N` over a real MessageChannel (what a Worker's port is), with the
// real log and memory queues on the owning side.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import {
  createMemoryQueue,
  type LogQueue,
  openLogQueue,
  type Queue,
  QueueFullError,
  type QueueMessage,
} from '@sluice/queue';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningCollector, startCollector } from '../node.js';
import { expectError, readQueue, shop, testConfig, trackEvent } from '../test-support.js';
import { appendFrames, framesProducer } from './frames-hand-off.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

let dir: string;
let log: LogQueue;
const closing: (() => unknown)[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-hand-off-'));
  log = await openLogQueue({ dir, durability: 'none' });
});
afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
  await log.close();
  await rm(dir, { recursive: true, force: true });
});

type Posted = Extract<FromWorker, { type: 'frames' }>;

/**
 * A thread's producer whose appends reach `owner` through a MessageChannel. `tamper` changes
 * the bytes on the way (a thread gone wrong); `posted` records each transferred buffer.
 */
function handOff(owner: Queue, tamper?: (frames: ArrayBuffer) => ArrayBuffer) {
  const { port1: thread, port2: main } = new MessageChannel();
  const posted: ArrayBuffer[] = [];
  const producer = framesProducer((message, transfer) => {
    const frames = tamper ? tamper(message.frames) : message.frames;
    thread.postMessage({ ...message, frames }, tamper ? [frames] : transfer);
    posted.push(frames);
  });
  main.on('message', (message: Posted) =>
    appendFrames(owner, message, (reply: ToWorker) => main.postMessage(reply)),
  );
  thread.on('message', (reply: Extract<ToWorker, { type: 'appended' }>) => producer.settle(reply));
  closing.push(
    () => thread.close(),
    () => main.close(),
  );
  return { queue: producer.queue, posted };
}

function message(i: number): QueueMessage {
  return {
    id: `id-${i}`,
    source: 'shop',
    time: 1_700_000_000_000 + i,
    kind: i % 2 ? 'quarantine' : 'event',
    body: Buffer.from(`{"n":${i}}`),
  };
}

async function held(queue: Queue) {
  return (await readQueue(queue)).map((e) => [
    e.position,
    e.id,
    e.kind,
    Buffer.from(e.body).toString(),
  ]);
}

describe('the hand-off of a worker thread’s appends', () => {
  it('moves the encoded batch without a copy and the log reads it back as appended', async () => {
    const { queue, posted } = handOff(log);
    await queue.append([message(0), message(1)]);
    await queue.append([message(2)]);
    expect(await held(log)).toEqual(
      [0, 1, 2].map((i) => [i, `id-${i}`, message(i).kind, `{"n":${i}}`]),
    );
    // Transferred, not cloned: the thread's buffers are detached once posted.
    expect(posted.map((buffer) => buffer.byteLength)).toEqual([0, 0]);
  });

  it('decodes the frames for a queue that takes messages (memory, NATS)', async () => {
    const memory = createMemoryQueue();
    closing.push(() => memory.close());
    const { queue } = handOff(memory);
    await queue.append([message(0), message(1)]);
    expect(await held(memory)).toEqual(
      [0, 1].map((i) => [i, `id-${i}`, message(i).kind, `{"n":${i}}`]),
    );
  });

  it('refuses a batch with a bad frame whole, on either kind of queue', async () => {
    const memory = createMemoryQueue();
    closing.push(() => memory.close());
    for (const owner of [log, memory]) {
      // The second frame's kind byte (both frames have the same size): no such kind.
      const { queue } = handOff(owner, (frames) => {
        new Uint8Array(frames)[frames.byteLength / 2 + 20] = 9;
        return frames;
      });
      await expect(queue.append([message(0), message(2)])).rejects.toThrow(/holds no message/);
      const cut = handOff(owner, (frames) => frames.slice(0, frames.byteLength - 1));
      await expect(cut.queue.append([message(0), message(2)])).rejects.toThrow(/cut short/);
      await handOff(owner).queue.append([message(4)]);
      expect(await held(owner)).toEqual([[0, 'id-4', 'event', '{"n":4}']]);
    }
  });

  it('passes a full queue on as QueueFullError with its Retry-After', async () => {
    const small = await openLogQueue({
      dir: join(dir, 'small'),
      durability: 'none',
      maxBytes: 200,
    });
    closing.push(() => small.close());
    await (await small.consumer('forwarder')).close(); // its unforwarded events count
    const { queue } = handOff(small);
    const big = { ...message(0), body: Buffer.from(`{"pad":"${'x'.repeat(300)}"}`) };
    const refused = await queue.append([big]).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(QueueFullError);
    expect((refused as QueueFullError).retryAfterSeconds).toBeGreaterThan(0);
  });

  it('answers the request 503 queue_unavailable when the main thread refuses the frames', async () => {
    const { queue } = handOff(log, (frames) => {
      new Uint8Array(frames)[0] = 0; // the first frame's magic
      return frames;
    });
    const collector: RunningCollector = await startCollector({
      queue,
      config: testConfig,
      logger: false,
    });
    closing.push(() => collector.close());
    const res = await fetch(`${collector.url}/v1/batch`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify({ writeKey: shop.key, batch: [trackEvent({ messageId: 'm1' })] }),
    });
    await expectError(res, 503, 'queue_unavailable');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await readQueue(log)).toEqual([]);
  });
});
