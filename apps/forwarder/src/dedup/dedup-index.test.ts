import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDedupIndexContract } from './dedup-index.contract.js';
import { createMemoryDedupIndex } from './dedup-index.js';
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
