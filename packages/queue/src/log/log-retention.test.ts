import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QueueFullError, type QueueMessage } from '../queue.js';
import { type LogQueue, openLogQueue } from './log-queue.js';

let dir: string;
let queue: LogQueue;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-log-retention-'));
  // Each append of two messages fills a segment, so every append rolls first.
  queue = await openLogQueue({ dir, segmentBytes: 60 });
});
afterEach(async () => {
  await queue.close();
  await rm(dir, { recursive: true, force: true });
});

const pair = (i: number): QueueMessage[] =>
  [i, i + 1].map((n) => ({
    id: `id-${n}`,
    source: 'web',
    time: n,
    kind: 'event',
    body: Buffer.from('{}'),
  }));
const segmentFirsts = async () =>
  (await readdir(join(dir, 'segments')))
    .map((name) => Number(name.slice(0, 20)))
    .sort((a, b) => a - b);

describe('log retention', () => {
  it('keeps every segment while no consumer exists', async () => {
    for (let i = 0; i < 8; i += 2) await queue.append(pair(i));
    expect(await segmentFirsts()).toEqual([0, 2, 4, 6]);
  });

  it('deletes on roll only segments that every consumer has committed past', async () => {
    const fast = await queue.consumer('fast');
    const slow = await queue.consumer('slow');
    for (let i = 0; i < 8; i += 2) await queue.append(pair(i));
    await fast.ack(await fast.read(8, 0));
    await slow.ack(await slow.read(3, 0)); // committed 3: segment [0,2) is done, [2,4) is not
    await queue.append(pair(8));
    expect(await segmentFirsts()).toEqual([2, 4, 6, 8]);
    expect(queue.stats().firstPosition).toBe(2);

    // The slow consumer still reads everything it has not acknowledged.
    expect((await slow.read(10, 0)).map((entry) => entry.position)).toEqual([3, 4, 5, 6, 7, 8, 9]);

    await queue.close();
    queue = await openLogQueue({ dir, segmentBytes: 60 });
    const resumed = await queue.consumer('slow');
    expect((await resumed.read(2, 0)).map((entry) => entry.position)).toEqual([3, 4]);
    const late = await queue.consumer('late');
    expect((await late.read(1, 0)).map((entry) => entry.position)).toEqual([2]);
  });
});

describe('log retention by size and age', () => {
  it('keeps forwarded history up to retainBytes, deleting the oldest beyond it', async () => {
    await queue.close();
    queue = await openLogQueue({ dir, segmentBytes: 60, retainBytes: 190 });
    const consumer = await queue.consumer('forwarder');
    for (let i = 0; i < 10; i += 2) await queue.append(pair(i));
    await consumer.ack(await consumer.read(10, 0));
    await queue.append(pair(10)); // rolls: segments 0..8 are forwarded, 92 bytes each
    // Two forwarded segments fit in 190 bytes; older ones are gone.
    expect(await segmentFirsts()).toEqual([6, 8, 10]);
  });

  it('keeps forwarded segments younger than retainMs', async () => {
    await queue.close();
    queue = await openLogQueue({ dir, segmentBytes: 60, retainMs: 60_000 });
    const consumer = await queue.consumer('forwarder');
    for (let i = 0; i < 6; i += 2) await queue.append(pair(i));
    await consumer.ack(await consumer.read(10, 0));
    await queue.append(pair(6));
    expect(await segmentFirsts()).toEqual([0, 2, 4, 6]);
  });
});

describe('log disk budget', () => {
  it('refuses appends with QueueFullError at the budget, and never drops events not yet forwarded', async () => {
    await queue.close();
    queue = await openLogQueue({ dir, segmentBytes: 60, maxBytes: 200 });
    const consumer = await queue.consumer('forwarder');
    let accepted = 0;
    let refusal: unknown;
    for (let i = 0; i < 20 && !refusal; i += 2) {
      try {
        await queue.append(pair(i));
        accepted += 2;
      } catch (error) {
        refusal = error;
      }
    }
    expect(refusal).toBeInstanceOf(QueueFullError);
    expect(String(refusal)).toMatch(/disk budget reached: \d+ of 200 bytes/);
    expect(queue.stats().diskBytes).toBeLessThanOrEqual(200);
    // Everything acknowledged is still readable, in order.
    const held = await consumer.read(100, 0);
    expect(held.map((e) => e.id)).toEqual(Array.from({ length: accepted }, (_, n) => `id-${n}`));
    // Once forwarded, the space is reclaimed and appends are accepted again.
    await consumer.ack(held);
    await new Promise((resolve) => setTimeout(resolve, 250));
    await queue.append(pair(100));
    expect((await consumer.read(10, 0)).map((e) => e.id)).toEqual(['id-100', 'id-101']);
  });

  it('counts segments found on open against the budget', async () => {
    for (let i = 0; i < 6; i += 2) await queue.append(pair(i));
    await queue.close();
    queue = await openLogQueue({ dir, segmentBytes: 60, maxBytes: 150 });
    await expect(queue.append(pair(6))).rejects.toBeInstanceOf(QueueFullError);
  });
});
