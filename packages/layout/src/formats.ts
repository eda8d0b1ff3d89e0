// The file formats of the store: what each is called, how its names end and its Content-Type.
// Readers pick a format by a name's extension, so these strings are part of the layout: files
// already stored keep being read only while they stay as they are.

/** The formats sluice writes (the forwarder's option `format`). */
export const FILE_FORMAT_NAMES = ['ndjson-gzip', 'ndjson-zstd', 'parquet'] as const;
export type FileFormatName = (typeof FILE_FORMAT_NAMES)[number];

/** A format as the layout knows it, without its encoder. */
export interface FormatDescriptor {
  readonly name: FileFormatName;
  /** Ends the object key, with the leading dot: `.ndjson.gz`. */
  readonly extension: string;
  readonly contentType: string;
  /** What a file holds: NDJSON lines (each body byte for byte), or Parquet rows. */
  readonly holds: 'ndjson' | 'rows';
}

/** Every format by name. */
export const FORMATS: Readonly<Record<FileFormatName, FormatDescriptor>> = {
  // The default: read by every query engine.
  'ndjson-gzip': {
    name: 'ndjson-gzip',
    extension: '.ndjson.gz',
    contentType: 'application/gzip',
    holds: 'ndjson',
  },
  // DuckDB, ClickHouse, Spark and Athena read it.
  'ndjson-zstd': {
    name: 'ndjson-zstd',
    extension: '.ndjson.zst',
    contentType: 'application/zstd',
    holds: 'ndjson',
  },
  // Typed columns (parquet.ts); events only, quarantine stays NDJSON.
  parquet: {
    name: 'parquet',
    extension: '.parquet',
    contentType: 'application/vnd.apache.parquet',
    holds: 'rows',
  },
};

/** The format a file name (or key) ends with, or undefined for anything else. */
export function formatOfName(name: string): FormatDescriptor | undefined {
  for (const format of Object.values(FORMATS)) if (name.endsWith(format.extension)) return format;
  return undefined;
}
