import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { QueueMessage } from '../queue.js';
import { openLogQueue } from './log-queue.js';
import { verifyLog } from './log-verify.js';
import { repairSegment } from './repair-segment.js';
import { listSegments, segmentPath } from './segment-files.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-repair-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const message = (i: number): QueueMessage => ({
  id: `id-${i}`,
  source: 'web',
  time: i,
  kind: 'event',
  body: Buffer.from(JSON.stringify({ n: i, pad: 'x'.repeat(200) })),
});

async function writeLog(count: number): Promise<number[]> {
  const queue = await openLogQueue({ dir, segmentBytes: 8192, durability: 'none' });
  for (let i = 0; i < count; i++) await queue.append([message(i)]);
  await queue.close();
  return listSegments(join(dir, 'segments'));
}

/** Every entry a new consumer reads, as `position:id`. */
async function readAll(): Promise<string[]> {
  const queue = await openLogQueue({ dir, logDamage: () => undefined });
  try {
    const consumer = await queue.consumer('reader');
    const seen: string[] = [];
    for (;;) {
      const entries = await consumer.read(100, 0);
      if (entries.length === 0) return seen;
      seen.push(...entries.map((e) => `${e.position}:${e.id}`));
      await consumer.ack(entries);
    }
  } finally {
    await queue.close();
  }
}

it('rewrites a zeroed page of a sealed segment as erased records: verify is clean, no position moves', async () => {
  const firsts = await writeLog(120);
  const path = segmentPath(join(dir, 'segments'), firsts[1]!);
  const bytes = await readFile(path);
  bytes.fill(0, 4096, 8192);
  await writeFile(path, bytes);
  const damaged = await verifyLog(dir);
  expect(damaged.damage).toHaveLength(1);
  const before = await readAll();

  const repair = await repairSegment(path, firsts[1]!, firsts[2]);
  const { damage } = damaged.damage[0] as {
    damage: { lastPositionBefore: number; firstPositionAfter: number };
  };
  expect(repair?.erasedFrames).toBe(damage.firstPositionAfter - damage.lastPositionBefore - 1);
  const after = await verifyLog(dir);
  expect(after.damage).toEqual([]);
  // The same records at the same positions, damaged ones gone: nothing else changed.
  await rm(join(dir, 'consumers'), { recursive: true });
  expect(await readAll()).toEqual(before);
  expect(before).toContain(`${damage.firstPositionAfter}:id-${damage.firstPositionAfter}`);
});

it('fills a sealed segment cut at a frame boundary up to the next segment', async () => {
  const firsts = await writeLog(120);
  const path = segmentPath(join(dir, 'segments'), firsts[0]!);
  const bytes = await readFile(path);
  // Cut after the frame that starts last but one (the magic FF 53 4C 32 marks each frame).
  const last = bytes.lastIndexOf(Buffer.from([0xff, 0x53, 0x4c, 0x32]));
  await writeFile(path, bytes.subarray(0, last));
  expect((await verifyLog(dir)).damage).toHaveLength(1);
  const repair = await repairSegment(path, firsts[0]!, firsts[1]);
  expect(repair?.erasedFrames).toBe(1);
  expect((await verifyLog(dir)).damage).toEqual([]);
  const ids = (await readAll()).map((e) => e.split(':')[1]);
  expect(ids).toHaveLength(119);
  expect(ids).not.toContain(`id-${firsts[1]! - 1}`);
});

it('leaves a clean segment alone', async () => {
  const firsts = await writeLog(10);
  expect(await repairSegment(segmentPath(join(dir, 'segments'), firsts[0]!), 0, undefined)).toBe(
    undefined,
  );
});
