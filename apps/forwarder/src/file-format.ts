// How a partition's buffered lines become one object: NDJSON compressed (gzip or zstd), or
// Parquet. The core receives a FileFormat; encoders that need node:* live in `formats/`.

import type { QueueEntry } from '@sluice/queue';

/** The formats the forwarder can write (option `format`). */
export const FILE_FORMAT_NAMES = ['ndjson-gzip', 'ndjson-zstd', 'parquet'] as const;
export type FileFormatName = (typeof FILE_FORMAT_NAMES)[number];

/** What a file is made of: the kept entries in queue order, and their NDJSON (built on demand). */
export interface FileContent {
  readonly lines: readonly QueueEntry[];
  /** Each body byte for byte, then `\n`. */
  toNdjson(): Uint8Array;
}

export interface FileFormat {
  readonly name: FileFormatName;
  /** Ends the object key, e.g. `.ndjson.gz`. */
  readonly extension: string;
  readonly contentType: string;
  encode(file: FileContent): Promise<Uint8Array>;
}

/** NDJSON through a compressor: the bodies are copied, never parsed. */
export function ndjsonFormat(
  name: Exclude<FileFormatName, 'parquet'>,
  compress: (data: Uint8Array) => Promise<Uint8Array>,
): FileFormat {
  return {
    name,
    extension: name === 'ndjson-gzip' ? '.ndjson.gz' : '.ndjson.zst',
    contentType: name === 'ndjson-gzip' ? 'application/gzip' : 'application/zstd',
    encode: (file) => compress(file.toNdjson()),
  };
}
