import type { SchemaElement } from 'hyparquet';
import { parquetMetadata } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { icebergSchemaOfColumns } from './iceberg-schema.js';
import { encodeNdjsonText } from './ndjson.js';
import {
  parquetCodec,
  parquetEvents,
  parquetWriter,
  readParquetRows,
  UnsupportedParquetError,
  writeParquetRows,
} from './parquet.js';
import { eventToRow, PARQUET_COLUMNS } from './parquet-rows.js';
import { schemaOf } from './parquet-schema.js';

const encoder = new TextEncoder();
const TIME = Date.UTC(2026, 10, 24, 10, 30);

function line(event: Record<string, unknown>) {
  return { body: encoder.encode(JSON.stringify(event)), time: TIME };
}

const TIMESTAMP_COLUMNS = ['timestamp', 'sentAt', 'receivedAt'];

/**
 * A file of `events` whose timestamps are in `unit`, built with hyparquet-writer itself (not the
 * layout's writer): MILLIS as sluice wrote them before, MICROS as Iceberg's writers do.
 */
function fileWithUnit(events: Record<string, unknown>[], unit: 'MILLIS' | 'MICROS') {
  const rows = events.map((event) => eventToRow(event, Date.parse(String(event.timestamp))));
  const schema: SchemaElement[] = schemaOf(PARQUET_COLUMNS).map((element) =>
    TIMESTAMP_COLUMNS.includes(element.name)
      ? {
          ...element,
          converted_type: `TIMESTAMP_${unit}`,
          logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit },
        }
      : element,
  );
  const columnData = PARQUET_COLUMNS.map(({ name }) => ({
    name,
    data: rows.map((row) => {
      const value = row[name] ?? null;
      // The rows hold microseconds; a millisecond file holds a thousandth of them.
      return TIMESTAMP_COLUMNS.includes(name) && unit === 'MILLIS' && value !== null
        ? (value as bigint) / 1000n
        : value;
    }),
  }));
  const kvMetadata = [
    { key: 'iceberg.schema', value: JSON.stringify(icebergSchemaOfColumns(PARQUET_COLUMNS)) },
  ];
  return new Uint8Array(parquetWriteBuffer({ columnData, schema, kvMetadata }));
}

/** The unit each timestamp column of a file declares. */
function timestampUnits(file: Uint8Array) {
  return parquetMetadata(new Uint8Array(file).buffer)
    .schema.filter((element) => TIMESTAMP_COLUMNS.includes(element.name))
    .map((element) => [element.name, element.converted_type]);
}

describe('Parquet', () => {
  it('reads back the rows it wrote: declared columns typed, unknown fields in extra', async () => {
    const lines = [
      line({ messageId: 'm1', type: 'track', userId: 'u1', properties: { total: 1.5 }, x: 1 }),
      line({ messageId: 'm2', type: 'page', receivedAt: '2026-11-24T10:30:00.500Z' }),
    ];
    const file = await parquetEvents.encode({ lines, toNdjson: () => new Uint8Array() });
    const { columns, rows } = await readParquetRows(file);

    expect(columns.map((column) => column.name)).toContain('properties');
    expect(rows).toEqual([
      expect.objectContaining({
        messageId: 'm1',
        userId: 'u1',
        timestamp: new Date(TIME),
        properties: { total: 1.5 },
        extra: { x: 1 },
      }),
      expect.objectContaining({
        messageId: 'm2',
        userId: null,
        receivedAt: new Date(TIME + 500),
        extra: null,
      }),
    ]);
    // Written again from what was read, the file holds the same values.
    expect((await readParquetRows(await writeParquetRows({ columns, rows }))).rows).toEqual(rows);
  });

  it('writes NDJSON handed over in pieces as the same file as the codec writes of it whole', async () => {
    const events = Array.from({ length: 300 }, (_, n) =>
      JSON.stringify({
        messageId: `m${n}`,
        type: 'track',
        event: n % 2 === 0 ? 'Signed Up' : 'Order Completed',
        timestamp: new Date(TIME + n * 1000).toISOString(),
        properties: { n, tag: n % 3 === 0 ? 'x' : n },
      }),
    );
    const writer = parquetWriter();
    for (let at = 0; at < events.length; at += 70) {
      if (!writer.write(encodeNdjsonText(events.slice(at, at + 70)))) await writer.drained();
    }
    const file = await writer.finish();

    expect(file).toEqual(await parquetCodec().fromNdjson(encodeNdjsonText(events)));
    const { rows } = await readParquetRows(file);
    expect(rows.map((row) => row.messageId)).toEqual(events.map((_, n) => `m${n}`));
    expect(rows[3]?.properties).toEqual({ n: 3, tag: 'x' });
  });

  it('writes timestamps as microseconds (Iceberg timestamptz) and reads files of either unit', async () => {
    const events = [
      {
        messageId: 'm1',
        type: 'track',
        timestamp: '2026-11-24T10:30:00.123Z',
        sentAt: '2026-11-24T10:30:01.456Z',
        receivedAt: '2026-11-24T10:30:02.789Z',
      },
      { messageId: 'm2', type: 'page', timestamp: '1969-07-20T20:17:40.001Z' },
    ];
    const ndjson = encodeNdjsonText(events.map((event) => JSON.stringify(event)));
    const codec = parquetCodec();
    const written = await codec.fromNdjson(ndjson);
    expect(timestampUnits(written)).toEqual(
      TIMESTAMP_COLUMNS.map((name) => [name, 'TIMESTAMP_MICROS']),
    );

    // An old millisecond file, a foreign microsecond one and our own: the same events back
    // (compaction's path), and rewritten from their rows, the same instants (erasure's path).
    const millis = fileWithUnit(events, 'MILLIS');
    expect(timestampUnits(millis)).toEqual(
      TIMESTAMP_COLUMNS.map((name) => [name, 'TIMESTAMP_MILLIS']),
    );
    for (const file of [millis, fileWithUnit(events, 'MICROS'), written]) {
      expect(new TextDecoder().decode(await codec.toNdjson(file))).toBe(
        new TextDecoder().decode(ndjson),
      );
      const rewritten = await writeParquetRows(await readParquetRows(file));
      expect(timestampUnits(rewritten)).toEqual(timestampUnits(written));
      expect((await readParquetRows(rewritten)).rows.map((row) => row.timestamp)).toEqual(
        events.map((event) => new Date(event.timestamp)),
      );
    }
  });

  it('refuses a file it did not write', async () => {
    await expect(readParquetRows(encoder.encode('{"not":"parquet"}\n'))).rejects.toThrow(
      UnsupportedParquetError,
    );
  });
});
