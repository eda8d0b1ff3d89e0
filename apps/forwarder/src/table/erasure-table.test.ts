// Erasure rewrites Parquet files in place: the table gets their new sizes and row counts, so an
// independent reader (icebird, over HTTP) reads every other event and none of the subject's.

import type { ObjectStore } from '@sluice/store';
import { icebergMetadata, icebergRead } from 'icebird';
import { describe, expect, it } from 'vitest';
import { eraseSubject } from '../erasure/erase-subject.js';
import { nodeFileCodecs } from '../formats/node-codecs.js';
import { createIcebergTable } from './iceberg-table.js';
import { parquetOfEvents, servedStorePerTest } from './test-support.js';

const TIME = Date.UTC(2026, 10, 24, 10, 20);
const FOLDER = 'events/source=shop/dt=2026-11-24/hh=10/';

const served = servedStorePerTest();

/** Three files of 20 events; userIds u0..u3 in turn. */
async function forwarderFiles(): Promise<void> {
  const table = createIcebergTable({ store: served.store, location: served.url });
  for (const from of [0, 20, 40]) {
    const body = await parquetOfEvents(from, from + 20, TIME);
    const key = `${FOLDER}${String(from).padStart(20, '0')}.parquet`;
    await served.store.put(key, body);
    await table.append([{ key, recordCount: 20, sizeBytes: body.byteLength }]);
  }
}

/** What the table says of each file (size, rows) is what the store holds: readers plan by it. */
async function expectTableTrue(table: ReturnType<typeof createIcebergTable>): Promise<void> {
  const stored = new Map<string, number>();
  for await (const { key, size } of served.store.list(FOLDER))
    stored.set(`${served.url}/${key}`, size);
  const live = await table.liveFiles();
  expect(live.map((file) => [file.path, file.sizeBytes])).toEqual(
    live.map((file) => [file.path, stored.get(file.path)]),
  );
  expect(live.reduce((sum, file) => sum + file.recordCount, 0)).toBe(45);
}

async function tableUsers(): Promise<string[]> {
  return (await icebergRead({ tableUrl: served.tableUrl() })).map((row) => row.userId as string);
}

describe('erasure with an Iceberg table', () => {
  it('commits the rewritten files: the table reads every other event, none of the subject', async () => {
    await forwarderFiles();
    const table = createIcebergTable({ store: served.store, location: served.url });

    const report = await eraseSubject(
      { store: served.store, codecs: nodeFileCodecs, table },
      { subject: { userId: 'u1' } },
    );

    expect(report.eventsRemoved).toBe(15);
    const users = await tableUsers();
    expect(users).toHaveLength(45);
    expect(users).not.toContain('u1');
    const metadata = await icebergMetadata({ tableUrl: served.tableUrl() });
    expect(metadata.snapshots!.at(-1)!.summary.operation).toBe('overwrite');
    await expectTableTrue(table);
  });

  it('a run after a crash between a rewrite and its commit makes the commit', async () => {
    await forwarderFiles();
    // The first run's table commits fail: files are rewritten, the table keeps their old sizes.
    const failing: ObjectStore = {
      ...served.store,
      putIfAbsent: () => Promise.reject(new Error('injected: crash before the commit')),
      put: (key, body, options) => served.store.put(key, body, options),
      get: (key) => served.store.get(key),
      list: (prefix) => served.store.list(prefix),
      delete: (key) => served.store.delete(key),
    };
    const crashing = createIcebergTable({ store: failing, location: served.url });
    await expect(
      eraseSubject(
        { store: failing, codecs: nodeFileCodecs, table: crashing },
        { subject: { userId: 'u1' } },
      ),
    ).rejects.toThrow(/injected/);

    const table = createIcebergTable({ store: served.store, location: served.url });
    const again = await eraseSubject(
      { store: served.store, codecs: nodeFileCodecs, table },
      { subject: { userId: 'u1' } },
    );

    // The first file was erased before the crash: the re-run erases the other two.
    expect(again.eventsRemoved).toBe(10);
    const users = await tableUsers();
    expect(users).toHaveLength(45);
    expect(users).not.toContain('u1');
    await expectTableTrue(table);
  });
});
