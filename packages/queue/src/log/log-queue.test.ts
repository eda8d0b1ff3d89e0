import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { describeQueueContract } from '../queue.contract.js';
import type { QueueEntry, QueueMessage } from '../queue.js';
import { READ_CHUNK_BYTES } from './frame-reader.js';
import { type LogQueue, openLogQueue } from './log-queue.js';
import { COMMIT_MS_BOUNDS } from './log-writer.js';
import { encodeFrames } from './record-codec.js';
import { tempDirEachTest } from './test-support.js';

let dir: string;
const queues: LogQueue[] = [];
tempDirEachTest('sluice-log-', (d) => {
  dir = d;
});
afterEach(() => Promise.all(queues.splice(0).map((queue) => queue.close())));

async function openQueue(options: { durability?: 'fsync' | 'none'; segmentBytes?: number } = {}) {
  const queue = await openLogQueue({ dir, ...options });
  queues.push(queue);
  return queue;
}

const contractDirs: string[] = [];
afterAll(async () => {
  await Promise.all(contractDirs.map((d) => rm(d, { recursive: true, force: true })));
});
describeQueueContract('log queue', async () => {
  const contractDir = await mkdtemp(join(tmpdir(), 'sluice-log-contract-'));
  contractDirs.push(contractDir);
  return openLogQueue({ dir: contractDir });
});

function message(i: number, body = `{"n":${i}}`): QueueMessage {
  return {
    id: `id-${i}`,
    source: 'web',
    time: 1_700_000_000_000 + i,
    kind: 'event',
    body: Buffer.from(body),
  };
}

const text = (entry: QueueEntry) => Buffer.from(entry.body).toString('utf8');

describe('log queue', () => {
  it('reads back every field it appended, including non-ASCII text and an empty body', async () => {
    const queue = await openQueue();
    const sent: QueueMessage[] = [
      { id: 'ä-ü-😀', source: 'シ', time: 1.5, kind: 'quarantine', body: Buffer.from('{"x":"ß"}') },
      { id: 'empty', source: 'web', time: -0, kind: 'event', body: new Uint8Array() },
    ];
    await queue.append(sent);
    const consumer = await queue.consumer('forwarder');
    const read = await consumer.read(10, 0);
    expect(read.map(({ body, ...rest }) => ({ ...rest, body: Buffer.from(body) }))).toEqual(
      sent.map((m, position) => ({ ...m, body: Buffer.from(m.body), position })),
    );
  });

  it('reads frames appended raw (by a worker thread) back as append writes them', async () => {
    const queue = await openQueue();
    await queue.append([message(0)]);
    await queue.appendFrames(encodeFrames([message(1), message(2)], false), 2);
    await queue.append([message(3)]);
    const read = await (await queue.consumer('forwarder')).read(10, 0);
    expect(read.map((entry) => [entry.position, entry.id, text(entry)])).toEqual(
      [0, 1, 2, 3].map((i) => [i, `id-${i}`, `{"n":${i}}`]),
    );
  });

  it('refuses raw frames that are cut short, lack the magic or miscount', async () => {
    const queue = await openQueue();
    const frames = encodeFrames([message(1), message(2)], false);
    await expect(queue.appendFrames(frames.subarray(0, frames.length - 1), 2)).rejects.toThrow(
      RangeError,
    );
    const bad = Buffer.from(frames);
    bad[0] = 0;
    await expect(queue.appendFrames(bad, 2)).rejects.toThrow(/magic/);
    await expect(queue.appendFrames(frames, 3)).rejects.toThrow(/records/);
    await queue.append([message(0)]);
    const read = await (await queue.consumer('forwarder')).read(10, 0);
    expect(read.map((entry) => [entry.position, entry.id])).toEqual([[0, 'id-0']]);
  });

  it('appends nothing of raw frames when one of them holds no message', async () => {
    const queue = await openQueue();
    const frames = encodeFrames([message(1), message(2)], false);
    frames[frames.length / 2 + 20] = 9; // the second frame's kind byte: no such kind
    await expect(queue.appendFrames(frames, 2)).rejects.toThrow(/holds no message/);
    await queue.append([message(0)]);
    const read = await (await queue.consumer('forwarder')).read(10, 0);
    expect(read.map((entry) => [entry.position, entry.id])).toEqual([[0, 'id-0']]);
  });

  it('encodes unpooled frames whose whole ArrayBuffer can be transferred', () => {
    const pooled = encodeFrames([message(1)]);
    const frames = encodeFrames([message(1)], false);
    expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.length); // the shared pool
    expect([frames.byteOffset, frames.buffer.byteLength]).toEqual([0, frames.length]);
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(frames.buffer, [frames.buffer]);
    port1.close();
    port2.close();
    expect(pooled.subarray(20).toString()).toContain('id-1'); // the pool is still attached
  });

  it('keeps positions consecutive across a close and reopen', async () => {
    const first = await openQueue();
    await first.append([message(0), message(1)]);
    await first.close();
    const second = await openQueue();
    expect(second.stats().nextPosition).toBe(2);
    await second.append([message(2)]);
    const read = await (await second.consumer('c')).read(10, 0);
    expect(read.map((entry) => [entry.position, entry.id])).toEqual([
      [0, 'id-0'],
      [1, 'id-1'],
      [2, 'id-2'],
    ]);
  });

  it('coalesces 1,000 concurrent appends into far fewer fdatasyncs', async () => {
    const queue = await openQueue();
    await Promise.all(Array.from({ length: 1000 }, (_, i) => queue.append([message(i)])));
    const stats = queue.stats();
    expect(stats).toMatchObject({ appends: 1000, messages: 1000, nextPosition: 1000 });
    expect(stats.syncs).toBeGreaterThan(0);
    expect(stats.syncs).toBeLessThan(20);
    // Every group commit is counted once in the duration buckets.
    expect(stats.commitMs).toHaveLength(COMMIT_MS_BOUNDS.length);
    expect(stats.commitMs.reduce((sum, n) => sum + n, 0)).toBe(stats.writes);
    const read = await (await queue.consumer('c')).read(2000, 0);
    expect(read.map((entry) => entry.id)).toEqual(read.map((_, i) => `id-${i}`));
  });

  it("works in 'none' durability mode without any fdatasync", async () => {
    const queue = await openQueue({ durability: 'none' });
    await Promise.all([queue.append([message(0)]), queue.append([message(1), message(2)])]);
    expect(queue.stats().syncs).toBe(0);
    await queue.close();
    const reopened = await openQueue({ durability: 'none' });
    const read = await (await reopened.consumer('c')).read(10, 0);
    expect(read.map(text)).toEqual(['{"n":0}', '{"n":1}', '{"n":2}']);
  });

  it('rolls segments and reads across them in order', async () => {
    // Three messages take ~130 bytes, so every append fills a segment.
    const queue = await openQueue({ segmentBytes: 100 });
    for (let i = 0; i < 30; i += 3)
      await queue.append([message(i), message(i + 1), message(i + 2)]);
    const segments = (await readdir(join(dir, 'segments'))).sort();
    expect(segments).toHaveLength(10);
    expect(segments[1]).toBe('00000000000000000003.log');
    const consumer = await queue.consumer('c');
    const positions: number[] = [];
    for (
      let batch = await consumer.read(4, 0);
      batch.length > 0;
      batch = await consumer.read(4, 0)
    ) {
      for (const entry of batch) {
        expect(entry.id).toBe(`id-${entry.position}`);
        positions.push(entry.position);
      }
    }
    expect(positions).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('reads a record larger than one read chunk, before and after a reopen', async () => {
    const big = 'x'.repeat(READ_CHUNK_BYTES + 1000);
    const queue = await openQueue();
    await queue.append([message(0), message(1, big), message(2)]);
    const bodies = async (q: LogQueue) => (await (await q.consumer('c')).read(10, 0)).map(text);
    expect(await bodies(queue)).toEqual(['{"n":0}', big, '{"n":2}']);
    await queue.close();
    expect(await bodies(await openQueue())).toEqual(['{"n":0}', big, '{"n":2}']);
  });

  it('finishes in-flight appends on close and rejects appends after it', async () => {
    const queue = await openLogQueue({ dir });
    const pending = Promise.all([queue.append([message(0)]), queue.append([message(1)])]);
    await queue.close();
    await expect(pending).resolves.toBeDefined();
    await expect(queue.append([message(2)])).rejects.toThrow(/closed/);
    const reopened = await openQueue();
    expect(reopened.stats().nextPosition).toBe(2);
  });
});
