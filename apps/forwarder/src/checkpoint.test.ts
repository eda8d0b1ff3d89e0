import { afterEach, describe, expect, it } from 'vitest';
import { loadCheckpoint, pruneWatermarks, saveCheckpoint } from './checkpoint.js';
import { tempFsStore } from './test-support.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('checkpoint', () => {
  it('starts empty and reads back what was saved, from the object store', async () => {
    const { store, cleanup } = await tempFsStore();
    cleanups.push(cleanup);
    expect(await loadCheckpoint(store, 'fw')).toEqual(new Map());
    const watermarks = new Map([['events/source=a/dt=2026-11-24/hh=10/', 41]]);
    await saveCheckpoint(store, 'fw', watermarks);
    expect(await loadCheckpoint(store, 'fw')).toEqual(watermarks);
    expect(await loadCheckpoint(store, 'other')).toEqual(new Map());
  });

  it('refuses a corrupt checkpoint instead of silently starting over', async () => {
    const { store, cleanup } = await tempFsStore();
    cleanups.push(cleanup);
    await store.put(
      '_sluice/checkpoints/fw.json',
      new TextEncoder().encode('{"version":1,"watermarks":{"p/":-1}}'),
    );
    await expect(loadCheckpoint(store, 'fw')).rejects.toThrow(
      /_sluice\/checkpoints\/fw.json is invalid/,
    );
    await store.put('_sluice/checkpoints/fw.json', new TextEncoder().encode('{"vers'));
    await expect(loadCheckpoint(store, 'fw')).rejects.toThrow(/not JSON/);
  });

  it('forgets only watermarks below every unacknowledged position of idle partitions', () => {
    const watermarks = new Map([
      ['old/', 5],
      ['busy/', 6],
      ['recent/', 10],
    ]);
    pruneWatermarks(watermarks, 8, (partition) => partition === 'busy/');
    expect(watermarks).toEqual(
      new Map([
        ['busy/', 6],
        ['recent/', 10],
      ]),
    );
  });
});
