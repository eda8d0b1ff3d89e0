import { icebergManifests, icebergMetadata, icebergRead } from 'icebird';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempFsStore } from '../test-support.js';
import { createIcebergTable, type IcebergTable } from './iceberg-table.js';
import { parquetOfEvents, serveDirectory } from './test-support.js';

const TEN = Date.UTC(2026, 10, 24, 10, 30);
const ELEVEN = Date.UTC(2026, 10, 24, 11, 5);
const KEY_10 = 'events/source=shop/dt=2026-11-24/hh=10/00000000000000000000.parquet';
const KEY_11 = 'events/source=shop/dt=2026-11-24/hh=11/00000000000000000050.parquet';

let store: Awaited<ReturnType<typeof tempFsStore>>;
let http: Awaited<ReturnType<typeof serveDirectory>>;
let table: IcebergTable;
const tableUrl = () => `${http.url}/tables/events`;

beforeEach(async () => {
  store = await tempFsStore();
  http = await serveDirectory(store.root);
  table = createIcebergTable({ store: store.store, location: http.url });
});
afterEach(async () => {
  await http.close();
  await store.cleanup();
});

async function put(key: string, from: number, to: number, time: number) {
  const body = await parquetOfEvents(from, to, time);
  await store.store.put(key, body);
  return { key, recordCount: to - from, sizeBytes: body.byteLength };
}

const idsOf = (rows: Record<string, unknown>[]) => rows.map((row) => row.messageId).sort();
const range = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `m${from + i}`).sort();

describe('Iceberg table', () => {
  it('an independent reader (icebird) reads an appended snapshot: rows, schema, partitions', async () => {
    const files = [await put(KEY_10, 0, 50, TEN), await put(KEY_11, 50, 80, ELEVEN)];
    expect(await table.append(files)).toMatchObject({ committed: true, version: 1 });

    const metadata = await icebergMetadata({ tableUrl: tableUrl() });
    expect(metadata['format-version']).toBe(2);
    const schema = metadata.schemas[0]!;
    expect(schema.fields.map((field) => [field.name, field.type]).slice(0, 3)).toEqual([
      ['source', 'string'],
      ['messageId', 'string'],
      ['type', 'string'],
    ]);
    expect(schema.fields.find((field) => field.name === 'timestamp')?.type).toBe('timestamptz');
    const manifests = await icebergManifests(metadata);
    const entries = manifests.flatMap((manifest) => manifest.entries);
    expect(
      entries.map((entry) => [entry.data_file.file_path, entry.data_file.partition]).sort(),
    ).toEqual([
      [`${http.url}/${KEY_10}`, { source: 'shop', timestamp_hour: Math.floor(TEN / 3_600_000) }],
      [`${http.url}/${KEY_11}`, { source: 'shop', timestamp_hour: Math.floor(ELEVEN / 3_600_000) }],
    ]);

    const rows = await icebergRead({ tableUrl: tableUrl() });
    expect(rows).toHaveLength(80);
    expect(idsOf(rows)).toEqual(range(0, 80));
    const row = rows.find((one) => one.messageId === 'm60')!;
    expect(row.event).toBe('Clicked');
    expect(new Date(row.timestamp as Date).getTime()).toBe(ELEVEN);
  });

  it('a commit retried after a crash adds its files once (no second snapshot)', async () => {
    const first = await put(KEY_10, 0, 50, TEN);
    expect(await table.append([first])).toMatchObject({ committed: true });
    // A new process (fresh table object) re-runs the same put and commit.
    const again = createIcebergTable({ store: store.store, location: http.url });
    const rewritten = await put(KEY_10, 0, 50, TEN);
    expect(rewritten.sizeBytes).toBe(first.sizeBytes);
    expect(await again.append([rewritten])).toEqual({
      committed: false,
      reason: 'already committed',
    });
    const metadata = await icebergMetadata({ tableUrl: tableUrl() });
    expect(metadata.snapshots).toHaveLength(1);
    expect(await icebergRead({ tableUrl: tableUrl() })).toHaveLength(50);
  });

  it('a commit after a crash between the version and its hint builds on that version', async () => {
    await table.append([await put(KEY_10, 0, 50, TEN)]);
    await table.append([await put(KEY_11, 50, 80, ELEVEN)]);
    // The crash: version 2 was written, the hint still says 1.
    await store.store.put(
      'tables/events/metadata/version-hint.text',
      new TextEncoder().encode('1'),
    );
    const again = createIcebergTable({ store: store.store, location: http.url });
    const key = 'events/source=shop/dt=2026-11-24/hh=11/00000000000000000080.parquet';
    expect(await again.append([await put(key, 80, 90, ELEVEN)])).toMatchObject({ version: 3 });
    expect(idsOf(await icebergRead({ tableUrl: tableUrl() }))).toEqual(range(0, 90));
  });

  it('concurrent committers on a directory store lose no commit (create-exclusive versions)', async () => {
    const writers = [0, 1, 2, 3].map(() =>
      createIcebergTable({ store: store.store, location: http.url }),
    );
    const files = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        put(
          `events/source=shop/dt=2026-11-24/hh=10/w${i}-00000000000000000000.parquet`,
          i * 10,
          i * 10 + 10,
          TEN,
        ),
      ),
    );
    await Promise.all(writers.map((writer, i) => writer.append([files[i]!])));
    const metadata = await icebergMetadata({ tableUrl: tableUrl() });
    expect(metadata.snapshots).toHaveLength(4);
    expect(idsOf(await icebergRead({ tableUrl: tableUrl() }))).toEqual(range(0, 40));
  });

  it('a replace swaps files in one snapshot: every row once, before and after', async () => {
    const small = [await put(KEY_10, 0, 50, TEN)];
    const key2 = 'events/source=shop/dt=2026-11-24/hh=10/00000000000000000050.parquet';
    small.push(await put(key2, 50, 70, TEN));
    await table.append([small[0]!]);
    await table.append([small[1]!]);
    const merged = await put(
      'events/source=shop/dt=2026-11-24/hh=10/00000000000000000000.c1.parquet',
      0,
      70,
      TEN,
    );
    expect(await table.replace([KEY_10, key2], [merged])).toMatchObject({ committed: true });
    // Retried after a crash: nothing changes.
    expect(await table.replace([KEY_10, key2], [merged])).toEqual({
      committed: false,
      reason: 'already committed',
    });
    const metadata = await icebergMetadata({ tableUrl: tableUrl() });
    const current = metadata.snapshots!.at(-1)!;
    expect(current.summary.operation).toBe('replace');
    expect(current.summary['total-records']).toBe('70');
    expect(idsOf(await icebergRead({ tableUrl: tableUrl() }))).toEqual(range(0, 70));
    expect((await table.liveFiles()).map((file) => file.path)).toEqual([
      `${http.url}/events/source=shop/dt=2026-11-24/hh=10/00000000000000000000.c1.parquet`,
    ]);
  });

  it('merges manifests and drops old snapshots as appends pile up, every row still once', async () => {
    const limits = { manifestsBeforeMerge: 4, snapshotsKept: 3 };
    table = createIcebergTable({ store: store.store, location: http.url, limits });
    const appends = 9;
    for (let i = 0; i < appends; i++) {
      const key = `events/source=shop/dt=2026-11-24/hh=10/${String(i).padStart(20, '0')}.parquet`;
      await table.append([await put(key, i, i + 1, TEN)]);
    }
    const metadata = await icebergMetadata({ tableUrl: tableUrl() });
    expect(metadata.snapshots).toHaveLength(3);
    const manifests = await icebergManifests(metadata);
    expect(manifests.length).toBeLessThanOrEqual(4);
    expect(idsOf(await icebergRead({ tableUrl: tableUrl() }))).toEqual(range(0, appends));
  });
});
