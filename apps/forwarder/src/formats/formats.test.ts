// zstd NDJSON and Parquet files as a query engine (DuckDB) reads them from the local store.

import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { FileFormatName } from '@sluice/layout';
import { openLogQueue, type QueueMessage } from '@sluice/queue';
import { createFsStore, type ObjectStore } from '@sluice/store';
import { describe, expect, it } from 'vitest';
import { startForwarder } from '../node.js';
import { bodyText, cleanupsAfterEach, message, NOW, waitFor } from '../test-support.js';
import { zstdDecompress } from './zstd.js';

const cleanups = cleanupsAfterEach();

/** Forwards `messages` with `format` into a fresh local store; returns its root. */
async function forward(format: FileFormatName, messages: QueueMessage[]) {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-formats-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const queue = await openLogQueue({ dir: join(dir, 'queue'), durability: 'none' });
  cleanups.push(() => queue.close());
  const root = join(dir, 'store');
  const store = createFsStore({ root });
  const forwarder = await startForwarder({
    queue,
    store,
    stateDir: join(dir, 'state'),
    options: { format, readWaitMs: 5 },
  });
  await queue.append(messages);
  await waitFor(() => forwarder.stats().read === messages.length);
  await forwarder.stop();
  return { root, store, keys: await keysOf(store) };
}

async function keysOf(store: ObjectStore): Promise<string[]> {
  const keys: string[] = [];
  for await (const { key } of store.list('')) if (!key.startsWith('_sluice/')) keys.push(key);
  return keys;
}

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

function segmentEvent(n: number, fields: Record<string, unknown> = {}): QueueMessage {
  const time = NOW + n * 1_000;
  const event = {
    messageId: `m${n}`,
    type: 'track',
    event: 'Order Completed',
    userId: `u${n % 2}`,
    timestamp: new Date(time).toISOString(),
    receivedAt: new Date(time + 500).toISOString(),
    properties: { total: n + 0.5, items: [{ sku: 'a' }] },
    context: { page: { path: '/checkout' } },
    ...fields,
  };
  return { ...message(n, { time }), body: new TextEncoder().encode(JSON.stringify(event)) };
}

describe('file formats', () => {
  it('writes zstd NDJSON as .ndjson.zst: the bodies byte for byte, readable by DuckDB', async () => {
    const messages = Array.from({ length: 50 }, (_, n) => segmentEvent(n));
    const { root, store, keys } = await forward('ndjson-zstd', messages);

    expect(keys).toEqual([
      'events/source=shop/dt=2026-11-24/hh=10/00000000000000000000.ndjson.zst',
    ]);
    const text = new TextDecoder().decode(await zstdDecompress((await store.get(keys[0]!))!));
    expect(text).toBe(messages.map((m) => `${bodyText(m)}\n`).join(''));
    const rows = await query(`
      SELECT count(*)::INTEGER AS n, count(DISTINCT messageId)::INTEGER AS ids, max(hh) AS hh
      FROM read_ndjson('${root}/events/**/*.ndjson.zst', compression = 'zstd',
                       hive_partitioning = true, hive_types = {'dt': DATE, 'hh': INTEGER})`);
    expect(rows).toEqual([{ n: 50, ids: 50, hh: 10 }]);
  });

  it('writes Parquet with the declared columns, typed, with unknown fields in extra; quarantine stays NDJSON', async () => {
    const messages = [
      segmentEvent(0, { timestampClamped: 'future', originalTimestamp: '2099-01-01T00:00:00Z' }),
      // Mixed types across events: a number in one, a string in the next; both survive.
      segmentEvent(1, { custom: { a: 1 }, properties: { total: 'free' }, userId: 7 }),
      segmentEvent(2, {
        context: { library: { name: 'sluice.js', version: '1.2' }, ip: '1.2.3.4' },
      }),
      {
        ...message(3, { kind: 'quarantine' }),
        body: new TextEncoder().encode('{"reason":[],"event":{}}'),
      },
    ];
    const { root, keys } = await forward('parquet', messages);

    expect(keys).toEqual([
      'events/source=shop/dt=2026-11-24/hh=10/00000000000000000000.parquet',
      'quarantine/source=shop/dt=2026-11-24/00000000000000000003.ndjson.gz',
    ]);
    const rows = await query(`
      SELECT messageId, userId, "timestamp", receivedAt, timestampClamped,
             properties->>'$.total' AS total, json_type(properties->'$.total') AS totalType,
             context_page_path AS path, context_library_name AS library, context, extra, dt, hh
      FROM read_parquet('${root}/events/**/*.parquet',
                        hive_partitioning = true, hive_types = {'dt': DATE, 'hh': INTEGER})
      ORDER BY messageId`);
    expect(rows).toEqual([
      {
        messageId: 'm0',
        userId: 'u0',
        timestamp: '2026-11-24 10:30:00+00',
        receivedAt: '2026-11-24 10:30:00.5+00',
        timestampClamped: 'future',
        total: '0.5',
        totalType: 'DOUBLE',
        path: '/checkout',
        library: null,
        context: '{}',
        extra: null,
        dt: '2026-11-24',
        hh: 10,
      },
      expect.objectContaining({
        messageId: 'm1',
        userId: '7',
        total: 'free',
        totalType: 'VARCHAR',
        extra: '{"userId":7,"custom":{"a":1}}',
      }),
      expect.objectContaining({
        messageId: 'm2',
        timestampClamped: null,
        userId: 'u0',
        library: 'sluice.js',
        context: '{"ip":"1.2.3.4"}',
      }),
    ]);
    const types = await query(`
      SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${root}/events/**/*.parquet'))
      WHERE column_name IN ('timestamp', 'receivedAt', 'properties', 'messageId')
      ORDER BY column_name`);
    expect(types).toEqual([
      { column_name: 'messageId', column_type: 'VARCHAR' },
      { column_name: 'properties', column_type: 'JSON' },
      { column_name: 'receivedAt', column_type: 'TIMESTAMP WITH TIME ZONE' },
      { column_name: 'timestamp', column_type: 'TIMESTAMP WITH TIME ZONE' },
    ]);
    const codecs = await query(
      `SELECT DISTINCT compression FROM parquet_metadata('${root}/events/**/*.parquet')`,
    );
    expect(codecs).toEqual([{ compression: 'ZSTD' }]);
  });

  it("stores Parquet timestamps as microseconds, Iceberg's timestamptz: DuckDB reads the instants", async () => {
    const messages = [
      segmentEvent(0, { sentAt: '2026-11-24T10:29:59.987Z' }),
      segmentEvent(1, { receivedAt: '1969-07-20T20:17:40.001Z' }),
    ];
    const { root } = await forward('parquet', messages);
    const files = `'${root}/events/**/*.parquet'`;

    const units = await query(`
      SELECT name, converted_type, logical_type FROM parquet_schema(${files})
      WHERE name IN ('timestamp', 'sentAt', 'receivedAt') ORDER BY name`);
    expect(units).toEqual(
      ['receivedAt', 'sentAt', 'timestamp'].map((name) => ({
        name,
        converted_type: 'TIMESTAMP_MICROS',
        logical_type: expect.stringMatching(/isAdjustedToUTC=1, .*MICROS=MicroSeconds\(\)/),
      })),
    );
    const instants = await query(`
      SELECT messageId, epoch_ms("timestamp")::BIGINT AS t, epoch_ms(sentAt)::BIGINT AS sent,
             epoch_ms(receivedAt)::BIGINT AS received
      FROM read_parquet(${files}) ORDER BY messageId`);
    expect(instants).toEqual([
      {
        messageId: 'm0',
        t: String(NOW),
        sent: String(Date.parse('2026-11-24T10:29:59.987Z')),
        received: String(NOW + 500),
      },
      {
        messageId: 'm1',
        t: String(NOW + 1_000),
        sent: null,
        received: String(Date.parse('1969-07-20T20:17:40.001Z')),
      },
    ]);
  });

  it('writes Parquet times as deltas and ids apart from their lengths: small, and DuckDB reads it', async () => {
    const ids = Array.from({ length: 1_000 }, () => randomUUID());
    const messages = ids.map((messageId, n) =>
      segmentEvent(n, { messageId, originalTimestamp: new Date(NOW + n * 1_000).toISOString() }),
    );
    const { root } = await forward('parquet', messages);
    const files = `'${root}/events/**/*.parquet'`;

    const columns = await query(`
      SELECT path_in_schema AS name, encodings,
             round(sum(total_compressed_size) / ${messages.length}, 1)::DOUBLE AS bytes
      FROM parquet_metadata(${files})
      WHERE path_in_schema IN ('timestamp', 'receivedAt', 'messageId', 'originalTimestamp')
      GROUP BY ALL ORDER BY name`);
    expect(columns).toEqual([
      { name: 'messageId', encodings: 'DELTA_LENGTH_BYTE_ARRAY', bytes: expect.any(Number) },
      { name: 'originalTimestamp', encodings: 'DELTA_BYTE_ARRAY', bytes: expect.any(Number) },
      { name: 'receivedAt', encodings: 'DELTA_BINARY_PACKED', bytes: expect.any(Number) },
      { name: 'timestamp', encodings: 'DELTA_BINARY_PACKED', bytes: expect.any(Number) },
    ]);
    const bytes = Object.fromEntries(columns.map((column) => [column.name, column.bytes]));
    // Plain zstd pages took 2.7 B an event for a time, 1.2 B for an ISO string, 20.5 B for an id.
    expect(bytes.timestamp).toBeLessThan(1);
    expect(bytes.receivedAt).toBeLessThan(1);
    expect(bytes.originalTimestamp).toBeLessThan(1);
    expect(bytes.messageId).toBeLessThan(19.5);
    const back = await query(`
      SELECT messageId, epoch_ms("timestamp")::BIGINT AS t, originalTimestamp
      FROM read_parquet(${files})`);
    expect(back).toEqual(
      ids.map((messageId, n) => ({
        messageId,
        t: String(NOW + n * 1_000),
        originalTimestamp: new Date(NOW + n * 1_000).toISOString(),
      })),
    );
  });
});
