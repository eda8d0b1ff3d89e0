// Parquet with a declared schema for Segment-style events (hyparquet-writer and hyparquet, pure
// JavaScript, Snappy pages), written and read back. Unlike NDJSON this must parse every body, so
// it is the slower choice; nested objects become JSON columns and top-level fields outside the
// schema go to `extra`, so no field is lost. Quarantined messages (another shape) stay NDJSON.
// A subpath of its own (`@sluice/layout/parquet`), so users of names and paths (the Worker) do
// not bundle the Parquet libraries.

import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { FileContent, FileFormat } from './file-format.js';
import { FORMATS } from './formats.js';

type Row = Record<string, unknown>;
export type ParquetColumnType = 'STRING' | 'TIMESTAMP' | 'JSON';

/** A column: its name and type. */
export interface ParquetColumn {
  name: string;
  type: ParquetColumnType;
}

/** The columns, in file order. Timestamps are UTC milliseconds; `timestamp` is the event time. */
export const PARQUET_COLUMNS: ReadonlyArray<ParquetColumn> = [
  { name: 'messageId', type: 'STRING' },
  { name: 'type', type: 'STRING' },
  { name: 'event', type: 'STRING' },
  { name: 'name', type: 'STRING' },
  { name: 'category', type: 'STRING' },
  { name: 'userId', type: 'STRING' },
  { name: 'anonymousId', type: 'STRING' },
  { name: 'groupId', type: 'STRING' },
  { name: 'previousId', type: 'STRING' },
  { name: 'timestamp', type: 'TIMESTAMP' },
  { name: 'originalTimestamp', type: 'STRING' },
  { name: 'sentAt', type: 'TIMESTAMP' },
  { name: 'receivedAt', type: 'TIMESTAMP' },
  { name: 'timestampClamped', type: 'STRING' },
  { name: 'properties', type: 'JSON' },
  { name: 'traits', type: 'JSON' },
  { name: 'context', type: 'JSON' },
  { name: 'integrations', type: 'JSON' },
  { name: 'extra', type: 'JSON' },
];

const DECLARED = new Set(PARQUET_COLUMNS.map((column) => column.name));

/** Parquet, `.parquet`: typed columns for engines that prefer them; parses each body. */
export const parquetEvents: FileFormat = {
  name: 'parquet',
  extension: FORMATS.parquet.extension,
  contentType: FORMATS.parquet.contentType,
  async encode(file) {
    return new Uint8Array(parquetWriteBuffer({ columnData: toColumns(file) }));
  },
};

/** A Parquet file's rows as values, with its columns in file order. */
export interface ParquetRows {
  columns: ParquetColumn[];
  rows: Row[];
}

/** Thrown for a Parquet file that cannot be read back faithfully (not one sluice wrote). */
export class UnsupportedParquetError extends Error {}

// The logical types `parquetEvents` writes each column type as.
const READ_TYPES: Record<string, ParquetColumnType> = {
  UTF8: 'STRING',
  TIMESTAMP_MILLIS: 'TIMESTAMP',
  JSON: 'JSON',
};

/**
 * Reads the rows of a file `parquetEvents` wrote (or one of the same column types): strings,
 * millisecond timestamps and JSON columns come back as they were written. Throws an
 * UnsupportedParquetError for any other file.
 */
export async function readParquetRows(file: Uint8Array): Promise<ParquetRows> {
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
  const rows = (await parquetReadObjects({ file: buffer })) as Row[];
  return { columns, rows };
}

/** A Parquet file of `rows` with `columns` (as `readParquetRows` gives them). */
export function writeParquetRows({ columns, rows }: ParquetRows): Uint8Array {
  const columnData = columns.map(({ name, type }) => ({
    name,
    type,
    data: rows.map((row) => row[name] ?? null),
  }));
  return new Uint8Array(parquetWriteBuffer({ columnData }));
}

function toColumns(file: FileContent) {
  const decoder = new TextDecoder();
  const data = PARQUET_COLUMNS.map(() => [] as unknown[]);
  for (const entry of file.lines) {
    const row = JSON.parse(decoder.decode(entry.body)) as Row;
    PARQUET_COLUMNS.forEach(({ name, type }, i) => {
      (data[i] as unknown[]).push(
        name === 'extra' ? extraFields(row) : columnValue(row[name], type, name, entry.time),
      );
    });
  }
  return PARQUET_COLUMNS.map(({ name, type }, i) => ({
    name,
    type,
    data: data[i] as unknown[],
  }));
}

function columnValue(
  value: unknown,
  type: ParquetColumnType,
  name: string,
  eventTime: number,
): unknown {
  // The queue header's time is the corrected event time the file's partition is chosen by.
  if (name === 'timestamp') return eventTime;
  if (value === undefined || value === null) return null;
  if (type === 'STRING') return typeof value === 'string' ? value : JSON.stringify(value);
  if (type === 'TIMESTAMP') {
    const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
    return Number.isNaN(ms) ? null : ms;
  }
  return value;
}

function extraFields(row: Row): Row | null {
  const keys = Object.keys(row).filter((key) => !DECLARED.has(key));
  return keys.length === 0 ? null : Object.fromEntries(keys.map((key) => [key, row[key]]));
}
