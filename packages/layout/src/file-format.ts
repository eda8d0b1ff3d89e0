// How a partition's buffered lines become one object: NDJSON compressed (gzip or zstd), or
// Parquet. Writers receive a FileFormat; the compressors are injected (the Node ones, on
// node:zlib and a wasm zstd, live in apps/forwarder/src/formats/).

import { type FileFormatName, FORMATS } from './formats.js';

/** One line of a file: a message's body and its (corrected) event time, ms since the epoch. */
export interface FileLine {
  readonly body: Uint8Array;
  readonly time: number;
}

/** What a file is made of: the kept entries in queue order, and their NDJSON (built on demand). */
export interface FileContent {
  readonly lines: readonly FileLine[];
  /** Each body byte for byte, then `\n`. */
  toNdjson(): Uint8Array;
}

/**
 * A file compressed while its lines arrive: compression runs on another thread as the buffer
 * fills, instead of all at once when it is cut (which stopped reading for the whole of it),
 * and the buffer holds compressed bytes instead of a second, uncompressed copy.
 */
export interface FileWriter {
  /**
   * Adds whole NDJSON lines. The writer keeps the array until it calls `done` (then the caller
   * may reuse it). False when the writer holds more than it wants to: wait for `drained`
   * before writing more.
   */
  write(ndjson: Uint8Array, done?: () => void): boolean;
  /** Resolves once the writer has taken in what it held. */
  drained(): Promise<void>;
  /** Ends the file and resolves with its bytes: the same as `encode` of the lines written. */
  finish(): Promise<Uint8Array>;
}

export interface FileFormat {
  readonly name: FileFormatName;
  /** Ends the object key, e.g. `.ndjson.gz`. */
  readonly extension: string;
  readonly contentType: string;
  encode(file: FileContent): Promise<Uint8Array>;
  /** Starts a file compressed as it grows; formats without it are encoded when cut. */
  readonly openWriter?: () => FileWriter;
}

/**
 * NDJSON through a compressor: the bodies are copied, never parsed. With `openWriter`, files
 * are compressed while their lines arrive (see FileWriter).
 */
export function ndjsonFormat(
  name: Exclude<FileFormatName, 'parquet'>,
  compress: (data: Uint8Array) => Promise<Uint8Array>,
  openWriter?: () => FileWriter,
): FileFormat {
  const { extension, contentType } = FORMATS[name];
  return {
    name,
    extension,
    contentType,
    encode: (file) => compress(file.toNdjson()),
    ...(openWriter ? { openWriter } : {}),
  };
}
