import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openLmdbDedupIndex } from './lmdb-dedup-index.js';
import { DamagedDedupIndexError } from './lmdb-file-check.js';

// Without the check these damages end the test process itself with SIGSEGV inside LMDB.
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-dedup-damage-'));
  const index = await openLmdbDedupIndex(dir);
  await index.record(3, [{ id: 'm-1', position: 7 }]);
  await index.close();
});
afterEach(() => rm(dir, { recursive: true, force: true }));

it('refuses a dedup index whose first pages were zeroed, naming the directory and the way out', async () => {
  const path = join(dir, 'data.mdb');
  const bytes = await readFile(path);
  bytes.fill(0, 0, 8192);
  await writeFile(path, bytes);
  const opening = openLmdbDedupIndex(dir);
  await expect(opening).rejects.toBeInstanceOf(DamagedDedupIndexError);
  await expect(opening).rejects.toThrow(`dedup index ${dir} is damaged`);
  await expect(opening).rejects.toThrow('sluice log verify --repair');
});

it('refuses a cut dedup index file', async () => {
  await truncate(join(dir, 'data.mdb'), 100);
  await expect(openLmdbDedupIndex(dir)).rejects.toBeInstanceOf(DamagedDedupIndexError);
});

it('opens a sound index as before', async () => {
  const index = await openLmdbDedupIndex(dir);
  expect(index.get(3, 'm-1')).toBe(7);
  await index.close();
});
