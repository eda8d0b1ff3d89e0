// The forwarder's Parquet files committed to the Iceberg table, read back by icebird (an
// independent reader) over HTTP; a crash is an aborted run on the same log directory and store.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { openLogQueue, type QueueMessage } from '@sluice/queue';
import type { ObjectStore } from '@sluice/store';
import { icebergManifests, icebergMetadata, icebergRead } from 'icebird';
import { describe, expect, it } from 'vitest';
import { gzipNdjson } from '../formats/gzip.js';
import { zstdParquet } from '../formats/parquet-zstd.js';
import { createForwarder } from '../forwarder.js';
import { startForwarding } from '../start-forwarding.js';
import {
  cleanupsAfterEach,
  FAST,
  isRecordingSave,
  message,
  runUntilCrash,
  tempFsStore,
  waitFor,
} from '../test-support.js';
import { createIcebergTable } from './iceberg-table.js';
import { serveDirectory } from './test-support.js';

const cleanups = cleanupsAfterEach();
const HOUR = 3_600_000;
const T10 = Date.UTC(2026, 10, 24, 10, 15);
const T09 = Date.UTC(2026, 10, 24, 9, 40);

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-table-log-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const fs = await tempFsStore();
  cleanups.push(fs.cleanup);
  const http = await serveDirectory(fs.root);
  cleanups.push(http.close);
  return { dir, store: fs.store, url: http.url, root: fs.root };
}

async function run(dir: string, store: ObjectStore, location: string, storeForPuts = store) {
  const queue = await openLogQueue({ dir, durability: 'none' });
  const consumer = await queue.consumer('forwarder');
  const startedAt = consumer.committed;
  const forwarder = createForwarder({
    consumer,
    store: storeForPuts,
    format: zstdParquet,
    quarantineFormat: gzipNdjson,
    table: createIcebergTable({ store: storeForPuts, location }),
    options: { ...FAST, format: 'parquet', maxFileBytes: 600 },
  });
  const crash = runUntilCrash(forwarder, () => queue.close());
  cleanups.push(crash);
  const readAll = () =>
    waitFor(() => forwarder.stats().read === queue.stats().nextPosition - startedAt);
  return { queue, forwarder, crash, readAll };
}

const messages: QueueMessage[] = Array.from({ length: 60 }, (_, n) =>
  message(n, { time: n % 3 === 0 ? T09 : T10, source: n % 2 === 0 ? 'shop' : 'blog' }),
);
const allIds = messages.map((m) => m.id).sort();

async function tableRows(url: string) {
  const rows = await icebergRead({ tableUrl: `${url}/tables/events` });
  return rows.map((row) => row.messageId as string).sort();
}

describe('the forwarder with an Iceberg table', () => {
  it('commits every Parquet file it uploads: the table holds each event once, by partition', async () => {
    const { dir, store, url } = await setup();
    const first = await run(dir, store, url);
    await first.queue.append(messages);
    await first.readAll();
    await first.forwarder.stop();
    await first.crash();

    expect(await tableRows(url)).toEqual(allIds);
    const metadata = await icebergMetadata({ tableUrl: `${url}/tables/events` });
    const entries = (await icebergManifests(metadata)).flatMap((manifest) => manifest.entries);
    const partitions = new Set(entries.map((entry) => JSON.stringify(entry.data_file.partition)));
    expect([...partitions].sort()).toEqual(
      [
        { source: 'blog', timestamp_hour: Math.floor(T09 / HOUR) },
        { source: 'blog', timestamp_hour: Math.floor(T10 / HOUR) },
        { source: 'shop', timestamp_hour: Math.floor(T09 / HOUR) },
        { source: 'shop', timestamp_hour: Math.floor(T10 / HOUR) },
      ]
        .map((value) => JSON.stringify(value))
        .sort(),
    );
    // Each file its own partition's: the Hive folder and the partition values agree.
    for (const entry of entries) {
      // icebird types partitions by field id; the Avro record is by name.
      const { source, timestamp_hour } = entry.data_file.partition as unknown as {
        source: string;
        timestamp_hour: number;
      };
      const iso = new Date(timestamp_hour * HOUR).toISOString();
      expect(entry.data_file.file_path).toContain(
        `/events/source=${source}/dt=${iso.slice(0, 10)}/hh=${iso.slice(11, 13)}/`,
      );
    }
  });

  it("gives icebird each event's time, stored in the unit of the table's timestamptz (microseconds)", async () => {
    const { dir, store, url, root } = await setup();
    const first = await run(dir, store, url);
    await first.queue.append(messages);
    await first.readAll();
    await first.forwarder.stop();
    await first.crash();

    const rows = await icebergRead({ tableUrl: `${url}/tables/events` });
    const times = new Map(messages.map((m) => [m.id, m.time]));
    expect(rows).toHaveLength(messages.length);
    for (const row of rows) {
      expect((row.timestamp as Date).toISOString()).toBe(
        new Date(times.get(row.messageId as string)!).toISOString(),
      );
    }
    // Iceberg's spec stores timestamptz as microseconds: every data file must say so.
    const metadata = await icebergMetadata({ tableUrl: `${url}/tables/events` });
    const timestampFields = metadata.schemas[0]!.fields.filter((f) => f.type === 'timestamptz');
    expect(timestampFields.map((field) => field.name)).toEqual([
      'timestamp',
      'sentAt',
      'receivedAt',
    ]);
    const files = (await icebergManifests(metadata))
      .flatMap((manifest) => manifest.entries)
      .map((entry) => `'${join(root, entry.data_file.file_path.slice(url.length))}'`);
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const units = await connection.runAndReadAll(`
        SELECT DISTINCT name, converted_type FROM parquet_schema([${files.join(', ')}])
        WHERE name IN (${timestampFields.map((field) => `'${field.name}'`).join(', ')})
        ORDER BY name`);
      expect(units.getRowObjectsJson()).toEqual(
        ['receivedAt', 'sentAt', 'timestamp'].map((name) => ({
          name,
          converted_type: 'TIMESTAMP_MICROS',
        })),
      );
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('after a crash between the commit and the checkpoint, the re-run commits nothing twice', async () => {
    const { dir, store, url } = await setup();
    // Recording checkpoints fail after the first: files are put and committed, never recorded.
    let recordingSaves = 0;
    const flaky: ObjectStore = {
      ...store,
      put: (key, body, options) =>
        isRecordingSave(key, body) && ++recordingSaves > 1
          ? Promise.reject(new Error(`injected: put ${key} failed`))
          : store.put(key, body, options),
      putIfAbsent: store.putIfAbsent,
      get: (key) => store.get(key),
      list: (prefix) => store.list(prefix),
      delete: (key) => store.delete(key),
    };
    const first = await run(dir, store, url, flaky);
    await first.queue.append(messages);
    await waitFor(() => first.forwarder.stats().failures > 0);
    await first.crash();
    const committedBefore = (await icebergMetadata({ tableUrl: `${url}/tables/events` })).snapshots!
      .length;
    expect(committedBefore).toBeGreaterThan(1);

    const second = await run(dir, store, url);
    await second.readAll();
    await second.forwarder.stop();
    await second.crash();

    expect(await tableRows(url)).toEqual(allIds);
    // The file left unrecorded was put and committed again: its commit found it in the table.
    const metadata = await icebergMetadata({ tableUrl: `${url}/tables/events` });
    const entries = (await icebergManifests(metadata)).flatMap((manifest) => manifest.entries);
    expect(new Set(entries.map((entry) => entry.data_file.file_path)).size).toBe(entries.length);
  });

  it('with log partitions (--workers), one shared table takes the files of every partition once', async () => {
    const { dir, store, url } = await setup();
    const queues = [
      await openLogQueue({ dir: join(dir, 'w0'), durability: 'none' }),
      await openLogQueue({ dir: join(dir, 'w1'), durability: 'none' }),
    ];
    cleanups.push(async () => {
      for (const queue of queues) await queue.close();
    });
    await queues[0]!.append(messages.slice(0, 30));
    await queues[1]!.append(messages.slice(30));
    const forwarding = await startForwarding({
      queue: queues[0]!,
      logPartitions: queues,
      store,
      table: createIcebergTable({ store, location: url }),
      options: { ...FAST, format: 'parquet', maxFileBytes: 600 },
    });
    await waitFor(() => forwarding.stats().reduce((sum, stats) => sum + stats.read, 0) === 60);
    await forwarding.stop();

    expect(await tableRows(url)).toEqual(allIds);
    const metadata = await icebergMetadata({ tableUrl: `${url}/tables/events` });
    const paths = (await icebergManifests(metadata))
      .flatMap((manifest) => manifest.entries)
      .map((entry) => entry.data_file.file_path);
    expect(paths.some((path) => path.includes('/w1-'))).toBe(true);
    expect(paths.some((path) => !path.includes('/w1-'))).toBe(true);
  });
});
