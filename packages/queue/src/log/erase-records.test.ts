import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { QueueEntry, QueueMessage } from '../queue.js';
import { eraseLogRecords } from './erase-records.js';
import { openLogQueue } from './log-queue.js';
import { openLogReader } from './log-reader.js';
import { tempDirEachTest } from './test-support.js';

let dir: string;
tempDirEachTest('sluice-log-erase-', (d) => {
  dir = d;
});

/** Every fourth message is victim-1's. */
const userOf = (i: number) => (i % 4 === 1 ? 'victim-1' : `user-${i}`);
const message = (i: number): QueueMessage => ({
  id: `m-${i}`,
  source: 'web',
  time: 1_000 + i,
  kind: i === 9 ? 'quarantine' : 'event',
  body: Buffer.from(
    i === 9
      ? JSON.stringify({ reason: [], event: { userId: userOf(i) } })
      : JSON.stringify({ userId: userOf(i), n: i }),
  ),
});
const isVictims = (entry: QueueEntry) => Buffer.from(entry.body).includes('"victim-1"');
const COUNT = 24;

/** 24 messages over several small segments; consumer `fwd` acknowledged the first 8. */
async function prepare(): Promise<void> {
  const queue = await openLogQueue({ dir, durability: 'none', segmentBytes: 300 });
  for (let i = 0; i < COUNT; i += 2) await queue.append([message(i), message(i + 1)]);
  const consumer = await queue.consumer('fwd');
  await consumer.ack(await consumer.read(8, 0));
  await queue.close();
}

async function readAll(): Promise<string[]> {
  const reader = openLogReader(dir);
  const { first, next } = await reader.range();
  const seen: string[] = [];
  for await (const batch of reader.read(first, next)) {
    for (const entry of batch) seen.push(`${entry.position}:${Buffer.from(entry.body)}`);
  }
  return seen;
}

async function segmentBytes(): Promise<Buffer> {
  const segments = join(dir, 'segments');
  const names = (await readdir(segments)).sort();
  return Buffer.concat(await Promise.all(names.map((name) => readFile(join(segments, name)))));
}

const othersExpected = () =>
  Array.from({ length: COUNT }, (_, i) => i)
    .filter((i) => userOf(i) !== 'victim-1')
    .map((i) => `${i}:${Buffer.from(message(i).body)}`);

describe('eraseLogRecords', () => {
  it("removes every byte of the subject's records; others keep their positions; consumers skip the gaps", async () => {
    await prepare();
    expect((await segmentBytes()).includes('victim-1')).toBe(true);
    const segments = (await readdir(join(dir, 'segments'))).length;

    const report = await eraseLogRecords(dir, { matches: isVictims });

    // Positions 1, 5, 9 (quarantined), 13, 17, 21.
    expect(report.recordsErased).toBe(6);
    expect(report.segmentsScanned).toBe(segments);
    expect(report.segmentsRewritten.reduce((n, s) => n + s.recordsErased, 0)).toBe(6);
    expect((await segmentBytes()).includes('victim-1')).toBe(false);
    expect(await readAll()).toEqual(othersExpected());
    expect(await openLogReader(dir).range()).toEqual({ first: 0, next: COUNT });

    // The forwarder's consumer resumes at 8 and gets the others only; the committed position
    // passes the erased ones, and appends go on at the same position as before.
    const queue = await openLogQueue({ dir, durability: 'none', segmentBytes: 300 });
    try {
      const consumer = await queue.consumer('fwd');
      const read = await consumer.read(100, 0);
      expect(read.map((e) => e.position)).toEqual([8, 10, 11, 12, 14, 15, 16, 18, 19, 20, 22, 23]);
      await consumer.ack(read);
      expect(consumer.committed).toBe(COUNT);
      await queue.append([message(COUNT)]);
      expect(queue.stats().nextPosition).toBe(COUNT + 1);
    } finally {
      await queue.close();
    }
    // Run again: nothing more to do.
    expect((await eraseLogRecords(dir, { matches: isVictims })).recordsErased).toBe(0);
  });

  it('leaves each segment old or new when it fails between steps, and a re-run finishes', async () => {
    await prepare();
    const before = await readAll();
    let replaced = 0;
    const crash = eraseLogRecords(dir, {
      matches: isVictims,
      beforeReplace: () => {
        // The second segment's new file is written and synced, but never renamed into place.
        if (++replaced === 2) throw new Error('injected crash');
      },
    });
    await expect(crash).rejects.toThrow('injected crash');

    // The log reads whole: the first rewritten segment is new, the rest old; nothing torn.
    const halfway = await readAll();
    const victims = (lines: string[]) => lines.filter((line) => line.includes('victim-1')).length;
    expect(before.filter((l) => !halfway.includes(l)).every((l) => l.includes('victim-1'))).toBe(
      true,
    );
    expect(halfway.every((line) => before.includes(line))).toBe(true);
    expect(victims(halfway)).toBeGreaterThan(0);
    expect(victims(halfway)).toBeLessThan(victims(before));
    const names = await readdir(join(dir, 'segments'));
    expect(names.filter((name) => name.endsWith('.erasing'))).toHaveLength(1);

    const rerun = await eraseLogRecords(dir, { matches: isVictims });

    expect(rerun).toMatchObject({ recordsErased: victims(halfway), staleTempFiles: 1 });
    expect(await readAll()).toEqual(othersExpected());
    expect((await segmentBytes()).includes('victim-1')).toBe(false);
    expect((await readdir(join(dir, 'segments'))).some((n) => n.endsWith('.erasing'))).toBe(false);
  });

  it('keeps the segment mtime that retention goes by', async () => {
    await prepare();
    const path = join(dir, 'segments', '00000000000000000000.log');
    const { mtimeMs } = await stat(path);
    const report = await eraseLogRecords(dir, { matches: isVictims });
    expect(report.segmentsRewritten[0]?.segment).toBe('00000000000000000000.log');
    // utimes keeps microseconds, not the nanoseconds of the original.
    expect(Math.abs((await stat(path)).mtimeMs - mtimeMs)).toBeLessThan(0.01);
  });
});
