// Parquet with a declared schema for Segment-style events (hyparquet-writer, pure JavaScript,
// Snappy pages). Unlike NDJSON this must parse every body, so it is the slower choice; nested
// objects become JSON columns and top-level fields outside the schema go to `extra`, so no
// field is lost. Quarantined messages (another shape) stay NDJSON: see `quarantineFormatFor`.

import { parquetWriteBuffer } from 'hyparquet-writer';
import type { FileContent, FileFormat } from '../file-format.js';

type Row = Record<string, unknown>;
type ColumnType = 'STRING' | 'TIMESTAMP' | 'JSON';

/** The columns, in file order. Timestamps are UTC milliseconds; `timestamp` is the event time. */
export const PARQUET_COLUMNS: ReadonlyArray<{ name: string; type: ColumnType }> = [
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
  extension: '.parquet',
  contentType: 'application/vnd.apache.parquet',
  async encode(file) {
    return new Uint8Array(parquetWriteBuffer({ columnData: toColumns(file) }));
  },
};

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

function columnValue(value: unknown, type: ColumnType, name: string, eventTime: number): unknown {
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
