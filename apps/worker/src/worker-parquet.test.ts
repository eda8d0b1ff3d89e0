// Parquet from the Worker (SLUICE_FORMAT=parquet), in the real workerd runtime: the
// wrangler-bundled Worker in miniflare, read back by readers the Worker does not use to write
// (hyparquet's reader, DuckDB as `sluice query` runs it), against a file the Node forwarder's
// own Parquet format (zstd pages) writes from the same events.
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { R2Bucket } from '@cloudflare/workers-types';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetZstd, zstdParquet } from '@sluice/forwarder';
import { messageIdsFileName } from '@sluice/layout';
import { parquetEvents, readParquetRows } from '@sluice/layout/parquet';
import { toWireMessage } from '@sluice/queue/cloudflare';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import type { Miniflare, MiniflareOptions } from 'miniflare';
import { describe, expect, it } from 'vitest';
import { bundledWorkers } from './bundled-worker.testkit.js';

const QUEUE = 'sluice-events';
const SHOP_KEY = 'wk_shop';
const CONFIG = { sources: [{ id: 'shop', writeKeys: [SHOP_KEY] }] };
const encoder = new TextEncoder();

const workers = bundledWorkers('worker-parquet');

/** The bundle with SLUICE_FORMAT=parquet, files cut after `ageSeconds`. */
async function startParquetWorker(
  ageSeconds: number,
  persist: Partial<MiniflareOptions> = {},
): Promise<{ mf: Miniflare; bucket: R2Bucket }> {
  const options = await workers.options({
    SLUICE_CONFIG: JSON.stringify(CONFIG),
    SLUICE_FORMAT: 'parquet',
    SLUICE_FILE_AGE_SECONDS: String(ageSeconds),
  });
  const consumer = options.queueConsumers[QUEUE];
  const mf = await workers.start({
    ...options,
    queueConsumers: { [QUEUE]: { ...consumer, maxBatchTimeout: 0.1 } },
    r2Persist: false,
    ...persist,
  });
  return { mf, bucket: (await mf.getR2Bucket('EVENTS_BUCKET')) as unknown as R2Bucket };
}

/** Every object under `prefix` once there are `count`, by key. */
async function waitForObjects(bucket: R2Bucket, prefix: string, count: number) {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
    const listed = await bucket.list({ prefix });
    if (listed.objects.length >= count) {
      const objects = new Map<string, { bytes: Uint8Array; type?: string; uploaded: Date }>();
      for (const { key } of listed.objects) {
        const object = (await bucket.get(key))!;
        objects.set(key, {
          bytes: new Uint8Array(await object.arrayBuffer()),
          type: object.httpMetadata?.contentType,
          uploaded: object.uploaded,
        });
      }
      return objects;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`fewer than ${count} objects under ${prefix}`);
}

const readRows = (bytes: Uint8Array) =>
  parquetReadObjects({ file: new Uint8Array(bytes).buffer }) as Promise<Record<string, unknown>[]>;

/** Events of many shapes: typed fields, page context, a numeric userId, an unknown field. */
function shopEvent(i: number, timestamp: string): Record<string, unknown> {
  return {
    type: i % 5 === 0 ? 'page' : 'track',
    ...(i % 5 === 0 ? { name: 'Home' } : { event: i % 2 ? 'Signed Up' : 'Order Completed' }),
    messageId: `pq-${String(i).padStart(3, '0')}`,
    anonymousId: `anon-${i % 7}`,
    ...(i % 9 === 0 ? { userId: i } : {}),
    timestamp,
    properties: { i, price: i % 3 ? i * 1.5 : String(i), tags: ['a', i] },
    context: { page: { path: `/p/${i}`, url: `https://shop.example/p/${i}` }, locale: 'en' },
    ...(i % 11 === 0 ? { custom: { deep: true } } : {}),
  };
}

describe('Parquet from the Worker in workerd', () => {
  it('stores every posted event once as Parquet that DuckDB reads with the Node files’ columns, quarantine as gzip NDJSON', async () => {
    const { mf, bucket } = await startParquetWorker(1);
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
    const batch = Array.from({ length: 60 }, (_, i) =>
      shopEvent(i, new Date(hour + i * 90_000).toISOString()),
    );
    const res = await mf.dispatchFetch('http://collector.test/v1/batch', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify({
        writeKey: SHOP_KEY,
        batch: [...batch, { type: 'track', messageId: 'pq-bad' }],
      }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 60, rejected: [{ index: 60 }] });

    // 60 events at 90 s apart: 40 in the first hour, 20 in the next.
    const files = await waitForObjects(bucket, 'events/', 2);
    const ids = (from: number, to: number) => batch.slice(from, to).map((e) => e.messageId);
    const folder = (ms: number) =>
      `events/source=shop/dt=${new Date(ms).toISOString().slice(0, 10)}/hh=${new Date(ms).toISOString().slice(11, 13)}`;
    expect([...files.keys()].sort()).toEqual(
      [
        `${folder(hour)}/${await messageIdsFileName(ids(0, 40) as string[])}.parquet`,
        `${folder(hour + 3_600_000)}/${await messageIdsFileName(ids(40, 60) as string[])}.parquet`,
      ].sort(),
    );
    const stored: Record<string, unknown>[] = [];
    for (const { bytes, type } of files.values()) {
      expect(type).toBe('application/vnd.apache.parquet');
      stored.push(...(await readRows(bytes)));
    }
    expect(stored.map((row) => row.messageId).sort()).toEqual(ids(0, 60).sort());
    const first = stored.find((row) => row.messageId === 'pq-000')!;
    expect(first).toMatchObject({ type: 'page', name: 'Home', context_page_path: '/p/0' });
    expect(JSON.parse(JSON.stringify(first.properties))).toEqual({
      i: 0,
      price: '0',
      tags: ['a', 0],
    });
    expect(first.extra).toEqual({ custom: { deep: true } });
    expect(first.receivedAt).toBeInstanceOf(Date);

    const quarantine = await waitForObjects(bucket, 'quarantine/', 1);
    expect([...quarantine.keys()][0]).toMatch(/\.ndjson\.gz$/);
    expect([...quarantine.values()][0]!.type).toBe('application/gzip');

    // A Node forwarder's file of the same events beside the Worker's, in one store: DuckDB
    // sees the same columns and types in each, and one query reads both.
    const store = workers.path('store');
    for (const [key, { bytes }] of files) {
      await mkdir(dirname(join(store, key)), { recursive: true });
      await writeFile(join(store, key), bytes);
    }
    const nodeFile = join(store, 'events/source=node/dt=2026-03-01/hh=10/node.parquet');
    await mkdir(dirname(nodeFile), { recursive: true });
    const lines = batch.map((event) => ({
      body: encoder.encode(JSON.stringify({ ...event, messageId: `node-${event.messageId}` })),
      time: Date.parse(String(event.timestamp)),
    }));
    await writeFile(
      nodeFile,
      await zstdParquet.encode({ lines, toNdjson: () => new Uint8Array() }),
    );
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    const query = async (sql: string) =>
      (await duck.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
    // The files' own columns: DuckDB types a folder's hive columns from their names (`hh=03`
    // VARCHAR, `hh=10` BIGINT), which would make this depend on the hour the test runs.
    const describe = (file: string) =>
      query(`DESCRIBE SELECT * FROM read_parquet('${file}', hive_partitioning = false)`).then(
        (rows) => rows.map((row) => `${row.column_name} ${row.column_type}`),
      );
    const workerColumns = await describe(join(store, [...files.keys()][0]!));
    expect(workerColumns).toEqual(await describe(nodeFile));
    expect(workerColumns).toContain('timestamp TIMESTAMP WITH TIME ZONE');
    expect(workerColumns).toContain('properties JSON');
    expect(workerColumns).toContain('extra JSON');
    const bySource = await query(
      `SELECT source, count(*)::INTEGER AS n, count(DISTINCT messageId)::INTEGER AS ids,
              sum((properties->>'$.i')::INTEGER)::INTEGER AS total
       FROM read_parquet('${store}/events/**/*.parquet', hive_partitioning = true)
       GROUP BY source ORDER BY source`,
    );
    const total = (59 * 60) / 2;
    expect(bySource).toEqual([
      { source: 'node', n: 60, ids: 60, total },
      { source: 'shop', n: 60, ids: 60, total },
    ]);
    duck.closeSync();
  }, 60_000);

  it('rewrites a file after a Durable Object restart with identical bytes under the same key', async () => {
    const time = (i: number) => Date.UTC(2026, 2, 1, 10, 0, i);
    const deliveries = Array.from({ length: 30 }, (_, i) => {
      const event = shopEvent(i, new Date(time(i)).toISOString());
      return {
        id: `cf-${i}`,
        timestamp: new Date(),
        attempts: 1,
        body: toWireMessage({
          id: String(event.messageId),
          source: 'shop',
          time: time(i),
          kind: 'event',
          body: encoder.encode(JSON.stringify(event)),
        }),
      };
    });
    // Buffered by an object that does not cut yet (an hour's age), then workerd stops: the
    // lines are durable in its SQLite storage. A copy of that storage is the same object
    // after a crash before its put was recorded: it writes the same file again.
    const held = workers.path('do-held');
    const buffering = await startParquetWorker(3600, { durableObjectsPersist: held });
    const outcome = await (await buffering.mf.getWorker()).queue(QUEUE, deliveries);
    expect(outcome.explicitAcks.length).toBe(30);
    await workers.stop(buffering.mf);
    await cp(held, workers.path('do-held-copy'), { recursive: true });

    const r2 = workers.path('r2-rewrite');
    const cutOnce = async (persist: string) => {
      const { mf, bucket } = await startParquetWorker(1, {
        durableObjectsPersist: persist,
        r2Persist: r2,
      });
      const before = (await bucket.list()).objects[0]?.uploaded;
      // The same batch again (as after a lost ack): adds nothing, and re-arms the alarm with
      // the 1 s age, long past for these lines.
      await (await mf.getWorker()).queue(QUEUE, deliveries);
      for (;;) {
        const objects = await waitForObjects(bucket, 'events/', 1);
        const [key, object] = [...objects][0]!;
        if (!before || object.uploaded > before) {
          await workers.stop(mf);
          return { keys: [...objects.keys()], key, ...object };
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const first = await cutOnce(held);
    const again = await cutOnce(workers.path('do-held-copy'));

    const ids = deliveries.map((_, i) => `pq-${String(i).padStart(3, '0')}`);
    expect(first.key).toBe(
      `events/source=shop/dt=2026-03-01/hh=10/${await messageIdsFileName(ids)}.parquet`,
    );
    expect(again.keys).toEqual([first.key]);
    expect(again.uploaded.getTime()).toBeGreaterThan(first.uploaded.getTime());
    expect(Buffer.from(again.bytes).equals(Buffer.from(first.bytes))).toBe(true);
    // The same bytes as the layout's Snappy Parquet writes in Node, at another time: nothing
    // in a file depends on the clock or the runtime.
    const lines = deliveries.map((_, i) => ({
      body: encoder.encode(JSON.stringify(shopEvent(i, new Date(time(i)).toISOString()))),
      time: time(i),
    }));
    const inNode = await parquetEvents.encode({ lines, toNdjson: () => new Uint8Array() });
    expect(Buffer.from(inNode).equals(Buffer.from(first.bytes))).toBe(true);
    expect(
      parquetMetadata(new Uint8Array(first.bytes).buffer).row_groups[0]?.columns[0]?.meta_data
        ?.codec,
    ).toBe('SNAPPY');
    // And the rows a Node forwarder's zstd file holds of the same events.
    const nodeFile = await zstdParquet.encode({ lines, toNdjson: () => new Uint8Array() });
    const { rows: nodeRows } = await readParquetRows(nodeFile, parquetZstd);
    expect(await readRows(first.bytes)).toEqual(nodeRows);
  }, 60_000);
});
