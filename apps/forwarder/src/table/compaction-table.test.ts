// Compaction's Parquet outputs replace their inputs in the Iceberg table in one snapshot: an
// independent reader (icebird, over HTTP) sees each event once before, during and after.

import type { ObjectStore } from '@sluice/store';
import { icebergMetadata, icebergRead } from 'icebird';
import { describe, expect, it } from 'vitest';
import { compactPartition } from '../compaction/compact-partition.js';
import { nodeFileCodecs } from '../formats/node-codecs.js';
import { createIcebergTable } from './iceberg-table.js';
import { parquetOfEvents, servedStorePerTest } from './test-support.js';

const TIME = Date.UTC(2026, 10, 24, 10, 20);
const FOLDER = 'events/source=shop/dt=2026-11-24/hh=10/';
const OPTIONS = { targetFileBytes: 4_000, minFileBytes: 1, acknowledgedBelow: 1e9 };
const FILES = 8;
const PER_FILE = 10;

const served = servedStorePerTest();
const ids = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `m${from + i}`).sort();
async function tableIds(): Promise<string[]> {
  return (await icebergRead({ tableUrl: served.tableUrl() }))
    .map((row) => row.messageId as string)
    .sort();
}

/** The forwarder's files, each appended to the table as the forwarder does. */
async function forwarderFiles(store: ObjectStore): Promise<void> {
  const table = createIcebergTable({ store, location: served.url });
  for (let file = 0; file < FILES; file++) {
    const from = file * PER_FILE;
    const body = await parquetOfEvents(from, from + PER_FILE, TIME);
    const key = `${FOLDER}${String(from).padStart(20, '0')}.parquet`;
    await store.put(key, body);
    await table.append([{ key, recordCount: PER_FILE, sizeBytes: body.byteLength }]);
  }
}

/** The store, with `during(key)` awaited before each put of a compaction output or manifest. */
function watched(store: ObjectStore, during: (key: string) => Promise<void>): ObjectStore {
  return {
    put: async (key, body, options) => {
      if (/\.c\d+\.parquet$|_manifest\.json$/.test(key)) await during(key);
      return store.put(key, body, options);
    },
    putIfAbsent: store.putIfAbsent,
    get: (key) => store.get(key),
    list: (prefix) => store.list(prefix),
    delete: (key) => store.delete(key),
  };
}

describe('compaction with an Iceberg table', () => {
  it('replaces the merged files in one snapshot: each event once before, during and after', async () => {
    await forwarderFiles(served.store);
    const seen: { key: string; ids: string[] }[] = [];
    const store = watched(served.store, async (key) => {
      seen.push({ key, ids: await tableIds() });
    });
    const table = createIcebergTable({ store, location: served.url });

    const result = await compactPartition(
      { store, codecs: nodeFileCodecs, table },
      FOLDER,
      OPTIONS,
    );

    expect(result.inputs).toHaveLength(FILES);
    expect(seen.length).toBeGreaterThan(1);
    for (const moment of seen) expect(moment.ids).toEqual(ids(0, FILES * PER_FILE));
    expect(await tableIds()).toEqual(ids(0, FILES * PER_FILE));
    const metadata = await icebergMetadata({ tableUrl: served.tableUrl() });
    const current = metadata.snapshots!.at(-1)!;
    expect(current.summary).toMatchObject({
      operation: 'replace',
      'deleted-data-files': String(FILES),
      'added-data-files': String(result.outputs.length),
      'total-records': String(FILES * PER_FILE),
    });
    const live = (await table.liveFiles()).map((file) => file.path.slice(served.url.length + 1));
    expect(live.sort()).toEqual(result.outputs.map((output) => output.key).sort());
  });

  it('after a crash between the table commit and the switch, the re-run commits nothing twice', async () => {
    await forwarderFiles(served.store);
    const crashing = watched(served.store, async (key) => {
      if (key.endsWith('_manifest.json')) throw new Error('injected: crash before the switch');
    });
    const first = createIcebergTable({ store: crashing, location: served.url });
    await expect(
      compactPartition({ store: crashing, codecs: nodeFileCodecs, table: first }, FOLDER, OPTIONS),
    ).rejects.toThrow(/injected/);
    const afterCrash = (await icebergMetadata({ tableUrl: served.tableUrl() })).snapshots!.length;
    expect(afterCrash).toBe(FILES + 1);

    const table = createIcebergTable({ store: served.store, location: served.url });
    const again = await compactPartition(
      { store: served.store, codecs: nodeFileCodecs, table },
      FOLDER,
      OPTIONS,
    );

    expect(again.inputs).toHaveLength(FILES);
    expect((await icebergMetadata({ tableUrl: served.tableUrl() })).snapshots).toHaveLength(
      afterCrash,
    );
    expect(await tableIds()).toEqual(ids(0, FILES * PER_FILE));
  });
});
