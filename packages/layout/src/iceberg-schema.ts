// The Apache Iceberg view of sluice's Parquet columns: field ids, the table schema, and the
// partition spec (source, event-time hour) that mirrors the Hive folders. The ids are written
// into every Parquet file (schema field ids and the `iceberg.schema` footer key, as Iceberg's own
// writers do), so an engine maps columns by id, never by position. Ids never change: a column
// added to PARQUET_COLUMNS later takes the next id.

import { PARQUET_COLUMNS, type ParquetColumn } from './parquet-rows.js';

/** Field id of `source`: not a Parquet column, it comes from the partition values (identity). */
export const SOURCE_FIELD_ID = 1;
/** Partition field ids start here (the spec's convention). */
const FIRST_PARTITION_FIELD_ID = 1000;
const HOUR_MS = 3_600_000;

const ICEBERG_TYPES: Record<ParquetColumn['type'], string> = {
  STRING: 'string',
  TIMESTAMP: 'timestamptz',
  // Iceberg v2 has no JSON type: a JSON column is a string holding JSON text.
  JSON: 'string',
};

/** An Iceberg schema field (only primitive types here). */
export interface IcebergField {
  id: number;
  name: string;
  required: boolean;
  type: string;
}

/** The Iceberg field id of a Parquet column sluice writes, or undefined for another column. */
export function icebergFieldIdOf(column: string): number | undefined {
  const index = PARQUET_COLUMNS.findIndex((known) => known.name === column);
  return index < 0 ? undefined : index + SOURCE_FIELD_ID + 1;
}

function fieldOf(column: ParquetColumn): IcebergField | undefined {
  const id = icebergFieldIdOf(column.name);
  return id === undefined
    ? undefined
    : { id, name: column.name, required: false, type: ICEBERG_TYPES[column.type] };
}

/** The schema (schema-id 0) a file of `columns` has: what its `iceberg.schema` footer says. */
export function icebergSchemaOfColumns(columns: readonly ParquetColumn[]): {
  type: 'struct';
  'schema-id': number;
  fields: IcebergField[];
} {
  const fields = columns.map(fieldOf).filter((field) => field !== undefined);
  return { type: 'struct', 'schema-id': 0, fields };
}

/** The table's schema: `source` (from the partition) and every Parquet column. */
export const ICEBERG_TABLE_SCHEMA = {
  type: 'struct' as const,
  'schema-id': 0,
  fields: [
    { id: SOURCE_FIELD_ID, name: 'source', required: false, type: 'string' },
    ...icebergSchemaOfColumns(PARQUET_COLUMNS).fields,
  ],
};

/** The partition spec: identity(source), hour(timestamp) - the Hive folders `source=`, `dt=`/`hh=`. */
export const ICEBERG_PARTITION_SPEC = {
  'spec-id': 0,
  fields: [
    {
      name: 'source',
      transform: 'identity',
      'source-id': SOURCE_FIELD_ID,
      'field-id': FIRST_PARTITION_FIELD_ID,
    },
    {
      name: 'timestamp_hour',
      transform: 'hour',
      'source-id': icebergFieldIdOf('timestamp')!,
      'field-id': FIRST_PARTITION_FIELD_ID + 1,
    },
  ],
};

/** The partition values of a data file: its source and its event-time hour (hours since 1970). */
export interface IcebergPartition {
  source: string;
  timestamp_hour: number;
}

/**
 * The partition values of a live events folder (`events/source=<s>/dt=YYYY-MM-DD/hh=HH/`), or
 * undefined for any other folder (quarantine, replays and imports below their own prefixes).
 */
export function icebergPartitionOf(folder: string): IcebergPartition | undefined {
  const match = /^events\/source=([^/]*)\/dt=(\d{4})-(\d{2})-(\d{2})\/hh=(\d{2})\/$/.exec(folder);
  if (!match) return undefined;
  const [, source, year, month, day, hour] = match;
  const ms = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour));
  return { source: decodeURIComponent(source!), timestamp_hour: Math.floor(ms / HOUR_MS) };
}

/**
 * Iceberg's name mapping (`schema.name-mapping.default`): lets engines map the columns of files
 * written before field ids were (or by a writer that drops them) by name.
 */
export function icebergNameMapping(): string {
  return JSON.stringify(
    ICEBERG_TABLE_SCHEMA.fields.map((field) => ({ 'field-id': field.id, names: [field.name] })),
  );
}
