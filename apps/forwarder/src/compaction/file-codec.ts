// Files are read and written as NDJSON whatever their format; a codec converts. Core code gets
// its codecs injected (gzip comes from node:zlib in the Node entry), so a new format (zstd,
// Parquet) is one more codec, not a change here.

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

/** Lines in an NDJSON buffer (each ends in `\n`; a last line without one counts too). */
export function countLines(ndjson: Uint8Array): number {
  let lines = 0;
  for (const byte of ndjson) if (byte === 10) lines++;
  if (ndjson.byteLength > 0 && ndjson[ndjson.byteLength - 1] !== 10) lines++;
  return lines;
}

/** Joins NDJSON buffers, adding the newline a buffer may lack at its end. */
export function concatNdjson(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const part of parts) total += part.byteLength + (endsWithNewline(part) ? 0 : 1);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
    if (!endsWithNewline(part)) out[offset++] = 10;
  }
  return out;
}

function endsWithNewline(part: Uint8Array): boolean {
  return part.byteLength === 0 || part[part.byteLength - 1] === 10;
}
