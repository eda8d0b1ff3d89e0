import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDedupIndexContract } from './dedup-index.contract.js';
import { createMemoryDedupIndex, type StoredId } from './dedup-index.js';
import { openLmdbDedupIndex } from './lmdb-dedup-index.js';

let base: string;
let opened = 0;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'sluice-dedup-index-'));
});
afterAll(() => rm(base, { recursive: true, force: true }));

describeDedupIndexContract('memory index', async () => createMemoryDedupIndex());
describeDedupIndexContract('lmdb index', () => openLmdbDedupIndex(join(base, `${opened++}`)));

it('lmdb index: what was recorded is there after closing and opening it again', async () => {
  const dir = join(base, 'reopen');
  const first = await openLmdbDedupIndex(dir);
  await first.record(3, [{ id: 'kept', position: 42 }]);
  await first.close();
  const second = await openLmdbDedupIndex(dir);
  expect(await second.slots()).toEqual([3]);
  expect(second.get(3, 'kept')).toBe(42);
  await second.close();
});

/** Writes ids as the index did before packed keys: string keys in a database `slot-<n>`. */
async function writeOldIndex(dir: string, slot: number, ids: StoredId[]): Promise<void> {
  const root = open({ path: dir, maxDbs: 266 });
  const db = root.openDB<number, string>({ name: `slot-${slot}` });
  for (const { id, position } of ids) await db.put(id, position);
  await root.close();
}

it('lmdb index: an index written before packed keys still answers, until its slot is dropped', async () => {
  const dir = join(base, 'old-format');
  const uuid = randomUUID();
  await writeOldIndex(dir, 7, [
    { id: uuid, position: 1 },
    { id: 'm2', position: 2 },
  ]);
  const index = await openLmdbDedupIndex(dir);
  expect(await index.slots()).toEqual([7]);
  expect(index.get(7, uuid)).toBe(1);
  expect(index.get(7, 'm2')).toBe(2);
  await index.record(7, [{ id: 'm3', position: 3 }]);
  await index.record(8, [{ id: uuid, position: 9 }]);
  expect(index.get(7, 'm3')).toBe(3);
  expect((await index.slots()).sort()).toEqual([7, 8]);
  expect([...(index.ids(7) as Iterable<string>)].sort()).toEqual([uuid, 'm2', 'm3'].sort());
  await index.drop(7);
  expect(await index.slots()).toEqual([8]);
  expect(index.get(7, uuid)).toBeUndefined();
  expect(index.get(8, uuid)).toBe(9);
  await index.close();
});

it('lmdb index: a UUID messageId takes about half the pages of its 36 characters', async () => {
  const dir = join(base, 'size');
  const index = await openLmdbDedupIndex(dir);
  const ids = Array.from({ length: 20_000 }, (_, position) => ({ id: randomUUID(), position }));
  await index.record(1, ids);
  await index.close();
  // Leaf pages of random inserts are about 2/3 full: 8 B of node header, the key, the
  // position (5 B), a 2 B pointer. 36-character keys took 76 B an id.
  const { size } = await stat(join(dir, 'data.mdb'));
  expect(size / ids.length).toBeLessThan(55);
});
