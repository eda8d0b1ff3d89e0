import { appendFile, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { QueueEntry, QueueMessage } from '../queue.js';
import { openLogQueue } from './log-queue.js';
import { openLogReader } from './log-reader.js';
import { tempDirEachTest } from './test-support.js';

let dir: string;
tempDirEachTest('sluice-log-reader-', (d) => {
  dir = d;
});

function message(i: number): QueueMessage {
  return {
    id: `id-${i}`,
    source: 'web',
    time: 1_700_000_000_000 + i,
    kind: i % 5 === 0 ? 'quarantine' : 'event',
    body: Buffer.from(`{"n":${i}}`),
  };
}

async function collect(batches: AsyncIterable<QueueEntry[]>): Promise<QueueEntry[][]> {
  const all: QueueEntry[][] = [];
  for await (const batch of batches) all.push(batch);
  return all;
}

const summary = (entry: QueueEntry) => ({
  position: entry.position,
  id: entry.id,
  kind: entry.kind,
  time: entry.time,
  body: Buffer.from(entry.body).toString(),
});

it('reads any position range across segments, in batches, while the queue stays open', async () => {
  // Small segments, and a roll happens between appends: 100 records span many files.
  const queue = await openLogQueue({ dir, durability: 'none', segmentBytes: 300 });
  for (let i = 0; i < 100; i += 10) {
    await queue.append(Array.from({ length: 10 }, (_, k) => message(i + k)));
  }
  const reader = openLogReader(dir);
  expect(await reader.range()).toEqual({ first: 0, next: 100 });
  expect((await readdir(join(dir, 'segments'))).length).toBeGreaterThan(5);

  const batches = await collect(reader.read(17, 83, 10));
  expect(batches.every((batch) => batch.length <= 10)).toBe(true);
  const entries = batches.flat();
  expect(entries.map(summary)).toEqual(
    Array.from({ length: 66 }, (_, k) => {
      const i = 17 + k;
      const m = message(i);
      return { position: i, id: m.id, kind: m.kind, time: m.time, body: `{"n":${i}}` };
    }),
  );

  // The writer keeps going: a new reading sees the new records, the old range is unchanged.
  await queue.append([message(100)]);
  expect(await reader.range()).toEqual({ first: 0, next: 101 });
  expect((await collect(reader.read(99, 101))).flat().map((e) => e.position)).toEqual([99, 100]);
  await queue.close();
});

it('writes nothing into the log directory and registers no consumer', async () => {
  const queue = await openLogQueue({ dir, durability: 'none' });
  await queue.append([message(0), message(1)]);
  await queue.close();
  const segment = join(dir, 'segments', '00000000000000000000.log');
  const before = await readFile(segment);
  const { mtimeMs } = await stat(segment);
  await collect(openLogReader(dir).read(0, 2));
  expect(await readdir(join(dir, 'consumers'))).toEqual([]);
  expect(await readFile(segment)).toEqual(before);
  expect((await stat(segment)).mtimeMs).toBe(mtimeMs);
});

it('leaves a torn tail out of the range instead of failing on it', async () => {
  const queue = await openLogQueue({ dir, durability: 'none' });
  await queue.append([message(0), message(1)]);
  await queue.close();
  // Half a frame, as a writer in the middle of a write (or a crash) leaves it.
  await appendFile(join(dir, 'segments', '00000000000000000000.log'), Buffer.from([0, 0, 0, 40]));
  const reader = openLogReader(dir);
  expect(await reader.range()).toEqual({ first: 0, next: 2 });
  expect((await collect(reader.read(0, 2))).flat()).toHaveLength(2);
  await expect(collect(reader.read(0, 3))).rejects.toThrow(/no readable record at position 2/);
});

it('says so when the positions asked for were deleted by retention', async () => {
  const queue = await openLogQueue({ dir, durability: 'none', segmentBytes: 100 });
  const consumer = await queue.consumer('forwarder');
  await queue.append(Array.from({ length: 20 }, (_, i) => message(i)));
  await consumer.ack(await consumer.read(20, 0));
  await queue.append([message(20)]); // rolls a segment, which runs retention
  const { first } = await openLogReader(dir).range();
  expect(first).toBeGreaterThan(0);
  await expect(collect(openLogReader(dir).read(0, 5))).rejects.toThrow(
    /position 0 is no longer in the log/,
  );
  await queue.close();
});

it('reads an empty range as nothing, and refuses to read past the end', async () => {
  const queue = await openLogQueue({ dir, durability: 'none' });
  await queue.close();
  const reader = openLogReader(dir);
  expect(await reader.range()).toEqual({ first: 0, next: 0 });
  expect(await collect(reader.read(0, 0))).toEqual([]);
  await expect(collect(reader.read(0, 1))).rejects.toThrow(/the log ends at position 0, before 1/);
});
