import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsStore, type ObjectStore } from '@sluice/store';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { DamagedManifestError, manifestKeyOf, readManifest, writeManifest } from './manifest.js';

const PARTITION = 'events/source=web/dt=2026-12-01/hour=10/';
let dir: string;
let store: ObjectStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-manifest-'));
  store = createFsStore({ root: dir });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

it('refuses every single flipped bit of a manifest by key instead of switching readers to the wrong files', async () => {
  const manifest = {
    version: 1 as const,
    generation: 3,
    live: [{ name: 'p-00000000000000000100.c3.ndjson.gz', bytes: 5120, lines: 40 }],
    replaced: ['p-00000000000000000100.ndjson.gz', 'p-00000000000000000120.ndjson.gz'],
  };
  await writeManifest(store, PARTITION, manifest);
  expect(await readManifest(store, PARTITION)).toEqual(manifest);
  const key = manifestKeyOf(PARTITION);
  const good = (await store.get(key))!;
  for (let bit = 0; bit < good.length * 8; bit++) {
    const bad = Uint8Array.from(good);
    bad[bit >> 3] = (bad[bit >> 3] as number) ^ (1 << (bit & 7));
    await store.put(key, bad);
    const read = readManifest(store, PARTITION);
    await expect(read, `bit ${bit}`).rejects.toBeInstanceOf(DamagedManifestError);
    await expect(read).rejects.toThrow(`manifest ${key} is damaged`);
  }
});

it('still reads a manifest written before it carried a digest', async () => {
  const old = '{"version":1,"generation":1,"live":[],"replaced":["a.ndjson.gz"]}';
  await store.put(manifestKeyOf(PARTITION), new TextEncoder().encode(old));
  expect((await readManifest(store, PARTITION)).replaced).toEqual(['a.ndjson.gz']);
});
