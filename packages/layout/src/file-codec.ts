// Files are read and written as NDJSON whatever their format; a codec converts. Core code gets
// its codecs injected (gzip comes from node:zlib in the Node entry: apps/forwarder/src/formats/
// node-codecs.ts), so a new format is one more codec, not a change in its readers.

import type { FileWriter } from './file-format.js';
import { type FileFormatName, FORMATS } from './formats.js';

/** Converts one file format to and from NDJSON bytes (one JSON value a line, each ending in `\n`). */
export interface FileCodec {
  /** How names of this format end, with the leading dot: `.ndjson.gz`. */
  extension: string;
  /** The file's NDJSON. */
  toNdjson(file: Uint8Array): Promise<Uint8Array>;
  /** A file holding `ndjson`. */
  fromNdjson(ndjson: Uint8Array): Promise<Uint8Array>;
  /** The Content-Type to store files with. */
  contentType?: string;
  /**
   * Starts a file encoded while its NDJSON arrives (the same bytes as `fromNdjson` of it all),
   * so a writer need not hold the whole file's NDJSON; without it, `fromNdjson` at the end.
   */
  openWriter?: () => FileWriter;
}

/** A compressor and its inverse, e.g. gzip and gunzip. */
export interface Compression {
  compress(data: Uint8Array): Promise<Uint8Array>;
  decompress(data: Uint8Array): Promise<Uint8Array>;
}

/** The codec of an NDJSON format (named and typed as the layout says) through `compression`. */
export function ndjsonCodec(
  name: Exclude<FileFormatName, 'parquet'>,
  compression: Compression,
  openWriter?: () => FileWriter,
): FileCodec {
  const { extension, contentType } = FORMATS[name];
  return {
    extension,
    contentType,
    toNdjson: (file) => compression.decompress(file),
    fromNdjson: (ndjson) => compression.compress(ndjson),
    ...(openWriter ? { openWriter } : {}),
  };
}

/** The codec for a file name (longest matching extension), or undefined for an unknown format. */
export function codecFor(name: string, codecs: readonly FileCodec[]): FileCodec | undefined {
  let found: FileCodec | undefined;
  for (const codec of codecs) {
    if (
      name.endsWith(codec.extension) &&
      (!found || codec.extension.length > found.extension.length)
    ) {
      found = codec;
    }
  }
  return found;
}
