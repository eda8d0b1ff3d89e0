import { describe, expect, it } from 'vitest';
import { encodeNdjsonText } from './ndjson.js';
import {
  parquetCodec,
  parquetEvents,
  parquetWriter,
  readParquetRows,
  UnsupportedParquetError,
  writeParquetRows,
} from './parquet.js';

const encoder = new TextEncoder();
const TIME = Date.UTC(2026, 10, 24, 10, 30);

function line(event: Record<string, unknown>) {
  return { body: encoder.encode(JSON.stringify(event)), time: TIME };
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

  it('refuses a file it did not write', async () => {
    await expect(readParquetRows(encoder.encode('{"not":"parquet"}\n'))).rejects.toThrow(
      UnsupportedParquetError,
    );
  });
});
