// Parquet with a declared schema for Segment-style events (parquet-rows.ts), written with
// hyparquet-writer and read with hyparquet (pure JavaScript, so it runs on Workers too). Unlike
// NDJSON this parses every body, so it is the slower choice. Pages are compressed by an
// injected compressor (the Node entry passes zstd, apps/forwarder/src/formats/parquet-zstd.ts);
// without one, Snappy (built in). A subpath of its own (`@sluice/layout/parquet`), so users of
// names and paths do not bundle the Parquet libraries.

import { type CompressionCodec, parquetMetadata, parquetReadObjects } from 'hyparquet';
import { ByteWriter, ParquetWriter, parquetWriteBuffer } from 'hyparquet-writer';
import type { FileCodec } from './file-codec.js';
import type { FileContent, FileFormat, FileWriter } from './file-format.js';
import { FORMATS } from './formats.js';
import { icebergSchemaOfColumns } from './iceberg-schema.js';
import { canonicalIsoMs } from './iso-time.js';
import { decodeNdjson, encodeNdjsonText } from './ndjson.js';
import {
  appendEvent,
  type ColumnValues,
  emptyColumns,
  PARQUET_COLUMNS,
  type ParquetColumn,
  rowToEvent,
} from './parquet-rows.js';
import { encodingOf, schemaOf } from './parquet-schema.js';

export { PARQUET_COLUMNS, type ParquetColumn, type ParquetColumnType } from './parquet-rows.js';

type Row = Record<string, unknown>;

/** A page compressor and its inverse, both synchronous (hyparquet calls them per page). */
export interface ParquetCompression {
  codec: CompressionCodec;
  /** Resolves once `compress` and `decompress` can run (e.g. a wasm module is loaded). */
  ready?: () => Promise<void>;
  compress(data: Uint8Array): Uint8Array;
  decompress(data: Uint8Array, outputLength: number): Uint8Array;
}

/** Rows a row group holds: DuckDB's own row group size, so a scan splits a file evenly. */
export const PARQUET_ROW_GROUP_ROWS = 122_880;

/** A Parquet file's rows as values, with its columns in file order. */
export interface ParquetRows {
  columns: readonly ParquetColumn[];
  rows: Row[];
}

/** Thrown for a Parquet file that cannot be read back faithfully (not one sluice wrote). */
export class UnsupportedParquetError extends Error {}

/** Parquet, `.parquet`: typed columns for engines that prefer them. */
export function parquetFormat(compression?: ParquetCompression): FileFormat {
  return {
    name: 'parquet',
    extension: FORMATS.parquet.extension,
    contentType: FORMATS.parquet.contentType,
    encode: (file: FileContent) => writeColumns(PARQUET_COLUMNS, columnsOf(file), compression),
  };
}

/** Parquet with Snappy pages (no compressor to inject). */
export const parquetEvents: FileFormat = parquetFormat();

/**
 * Parquet as NDJSON (for compaction): each row read back as its event, one line each; the NDJSON
 * of events written as rows. Event times come from `timestamp`, as the writer stored them.
 */
export function parquetCodec(compression?: ParquetCompression): FileCodec {
  return {
    extension: FORMATS.parquet.extension,
    contentType: FORMATS.parquet.contentType,
    async toNdjson(file) {
      const { rows } = await readParquetRows(file, compression);
      return encodeNdjsonText(rows.map((row) => JSON.stringify(rowToEvent(row))));
    },
    fromNdjson(ndjson) {
      const columns = emptyColumns();
      for (const line of decodeNdjson(ndjson)) appendLine(columns, line);
      return writeColumns(PARQUET_COLUMNS, columns, compression);
    },
    openWriter: () => parquetWriter(compression),
  };
}

/** Appends the row of an event's NDJSON line; the event time comes from `timestamp`. */
function appendLine(columns: ColumnValues, line: string): void {
  const event = JSON.parse(line) as Row;
  const timestamp = String(event.timestamp);
  appendEvent(columns, event, canonicalIsoMs(timestamp) ?? Date.parse(timestamp));
}

/**
 * Parquet of NDJSON events written a row group at a time (the same bytes as the codec's
 * `fromNdjson` of all of it): holds the rows of one row group and the compressed file so far,
 * not the whole file's rows.
 */
export function parquetWriter(compression?: ParquetCompression): FileWriter {
  const output = new ByteWriter();
  const writer = new ParquetWriter({
    writer: output,
    schema: schemaOf(PARQUET_COLUMNS),
    kvMetadata: icebergFooter(PARQUET_COLUMNS),
    ...(compression
      ? { codec: compression.codec, compressors: { [compression.codec]: compression.compress } }
      : {}),
  });
  let columns = emptyColumns();
  const held = () => columns[0]!.length;
  let ready = !compression?.ready;
  const becameReady = (compression?.ready?.() ?? Promise.resolve()).then(() => {
    ready = true;
  });
  // Reported by `drained` and `finish`; until then an error must not go unhandled.
  becameReady.catch(() => {});
  // Whole row groups only: a smaller one is written by `finish`. Compresses only once ready.
  const writeFullGroups = () => {
    if (!ready) return;
    while (held() >= PARQUET_ROW_GROUP_ROWS) {
      const group = columns.map((values) => values.slice(0, PARQUET_ROW_GROUP_ROWS));
      columns = columns.map((values) => values.slice(PARQUET_ROW_GROUP_ROWS));
      writeGroup(group);
    }
  };
  const writeGroup = (group: ColumnValues) =>
    writer.write({
      columnData: columnDataOf(PARQUET_COLUMNS, group),
      rowGroupSize: PARQUET_ROW_GROUP_ROWS,
    });
  return {
    write(ndjson, done) {
      for (const line of decodeNdjson(ndjson)) appendLine(columns, line);
      done?.();
      writeFullGroups();
      return held() < PARQUET_ROW_GROUP_ROWS;
    },
    async drained() {
      await becameReady;
      writeFullGroups();
    },
    async finish() {
      await becameReady;
      writeFullGroups();
      if (held() > 0) writeGroup(columns);
      columns = emptyColumns();
      writer.finish();
      return new Uint8Array(output.getBuffer());
    },
  };
}

// The converted types of each column type: timestamps are microseconds now, milliseconds in
// files written before (both read as Dates, by the unit of the file's schema).
const READ_TYPES: Record<string, ParquetColumn['type']> = {
  UTF8: 'STRING',
  TIMESTAMP_MICROS: 'TIMESTAMP',
  TIMESTAMP_MILLIS: 'TIMESTAMP',
  JSON: 'JSON',
};

/**
 * Reads the rows of a file sluice wrote (or one of the same column types): strings, timestamps
 * (as Dates, micro- or milliseconds as the file says) and JSON columns come back as they were
 * written. Throws an UnsupportedParquetError for any other file.
 */
export async function readParquetRows(
  file: Uint8Array,
  compression?: ParquetCompression,
): Promise<ParquetRows> {
  const buffer = new Uint8Array(file).buffer; // a copy the reader may keep, never shared
  let columns: ParquetColumn[];
  try {
    columns = parquetMetadata(buffer)
      .schema.slice(1)
      .map((element) => {
        const type = READ_TYPES[element.converted_type ?? ''];
        if (!type || element.num_children) throw new UnsupportedParquetError(element.name);
        return { name: element.name, type };
      });
  } catch (error) {
    throw new UnsupportedParquetError(`not a Parquet file sluice wrote: ${String(error)}`);
  }
  await compression?.ready?.();
  const compressors = compression ? { [compression.codec]: compression.decompress } : undefined;
  const rows = (await parquetReadObjects({ file: buffer, compressors })) as Row[];
  return { columns, rows };
}

/** A Parquet file of `rows` with `columns` (as `readParquetRows` gives them). */
export function writeParquetRows(
  { columns, rows }: ParquetRows,
  compression?: ParquetCompression,
): Promise<Uint8Array> {
  const values = columns.map(({ name }) => rows.map((row) => row[name] ?? null));
  return writeColumns(columns, values, compression);
}

/** A Parquet file of `columns` holding `values`, one array a column. */
async function writeColumns(
  columns: readonly ParquetColumn[],
  values: ColumnValues,
  compression?: ParquetCompression,
): Promise<Uint8Array> {
  await compression?.ready?.();
  return new Uint8Array(
    parquetWriteBuffer({
      columnData: columnDataOf(columns, values),
      schema: schemaOf(columns),
      // What Iceberg's writers put in the footer: readers map the file's columns by these ids.
      kvMetadata: icebergFooter(columns),
      rowGroupSize: PARQUET_ROW_GROUP_ROWS,
      ...(compression
        ? { codec: compression.codec, compressors: { [compression.codec]: compression.compress } }
        : {}),
    }),
  );
}

/** What Iceberg's writers put in the footer: readers map the file's columns by these ids. */
const icebergFooter = (columns: readonly ParquetColumn[]) => [
  { key: 'iceberg.schema', value: JSON.stringify(icebergSchemaOfColumns(columns)) },
];

/** Each column's values as the writer takes them. */
function columnDataOf(columns: readonly ParquetColumn[], values: ColumnValues) {
  return columns.map((column, index) => {
    const encoding = encodingOf(column);
    const data = values[index]!;
    if (column.type !== 'JSON')
      return { name: column.name, data, ...(encoding ? { encoding } : {}) };
    // Min and max of JSON text prune no query: not worth comparing every value for.
    return { name: column.name, data: jsonValues(data), statistics: false };
  });
}

/**
 * A JSON column's values as hyparquet-writer serializes them exactly, each distinct text once.
 * The writer copies a plain object key by key with assignments first (which drops a key named
 * `__proto__`), but hands an object without a prototype to JSON.stringify as it is, which keeps
 * every own key. One such object for equal values: the writer then encodes each text once and
 * its dictionary finds repeats by identity instead of hashing every value's bytes.
 */
function jsonValues(values: readonly unknown[]): unknown[] {
  const byText = new Map<string, unknown>();
  return values.map((value) => {
    if (value === undefined || value === null) return null;
    const text = JSON.stringify(value);
    let wrapped = byText.get(text);
    if (wrapped === undefined) {
      wrapped = Object.assign(Object.create(null) as object, { toJSON: () => value });
      byText.set(text, wrapped);
    }
    return wrapped;
  });
}

function columnsOf(file: FileContent): ColumnValues {
  const decoder = new TextDecoder();
  const columns = emptyColumns();
  for (const { body, time } of file.lines) {
    appendEvent(columns, JSON.parse(decoder.decode(body)) as Row, time);
  }
  return columns;
}
