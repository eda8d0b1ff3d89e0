// The Parquet schema of sluice's columns: each with its logical type (what DuckDB and Spark read
// as VARCHAR, TIMESTAMP WITH TIME ZONE and JSON) and the older converted type beside it, for
// readers that know only those. Every column is optional: an event may lack any field.
// Timestamps are microseconds: the unit of Iceberg's `timestamptz`, which the table declares
// (files written before were milliseconds; readers take the unit from each file's schema).

import type { Encoding, SchemaElement } from 'hyparquet';
import { icebergFieldIdOf } from './iceberg-schema.js';
import type { ParquetColumn } from './parquet-rows.js';

const ELEMENTS: Record<ParquetColumn['type'], Omit<SchemaElement, 'name'>> = {
  STRING: {
    type: 'BYTE_ARRAY',
    converted_type: 'UTF8',
    logical_type: { type: 'STRING' },
    repetition_type: 'OPTIONAL',
  },
  TIMESTAMP: {
    type: 'INT64',
    converted_type: 'TIMESTAMP_MICROS',
    logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' },
    repetition_type: 'OPTIONAL',
  },
  JSON: {
    type: 'BYTE_ARRAY',
    converted_type: 'JSON',
    logical_type: { type: 'JSON' },
    repetition_type: 'OPTIONAL',
  },
};

/** The schema of a file with `columns`, root first, each known column with its Iceberg field id. */
export function schemaOf(columns: readonly ParquetColumn[]): SchemaElement[] {
  return [
    { name: 'root', num_children: columns.length },
    ...columns.map(({ name, type }) => {
      const fieldId = icebergFieldIdOf(name);
      return { name, ...ELEMENTS[type], ...(fieldId === undefined ? {} : { field_id: fieldId }) };
    }),
  ];
}

// Smaller than the writer's default (a dictionary where it pays, else plain) for these columns:
// times in file order as deltas of deltas (a few bits each), unique ids with their lengths
// apart from their bytes, and ISO strings after the prefix each shares with the one before.
// Every Parquet reader knows these encodings (DuckDB, Spark, hyparquet).
const ENCODINGS: Partial<Record<string, Encoding>> = {
  messageId: 'DELTA_LENGTH_BYTE_ARRAY',
  originalTimestamp: 'DELTA_BYTE_ARRAY',
};

/** The encoding a column's pages are written in; undefined: the writer chooses. */
export function encodingOf({ name, type }: ParquetColumn): Encoding | undefined {
  return type === 'TIMESTAMP' ? 'DELTA_BINARY_PACKED' : ENCODINGS[name];
}
