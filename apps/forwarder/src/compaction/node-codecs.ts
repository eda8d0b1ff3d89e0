// The file formats the Node entry points read and rewrite: gzip NDJSON through node:zlib and
// zstd NDJSON through node:zlib's zstd. Parquet has no codec yet (no reader here), so
// compaction leaves Parquet files as they are and erasure reports them unreadable.

import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { gzipLevel6 } from '../formats/gzip.js';
import { zstdCompress, zstdDecompress } from '../formats/zstd.js';
import type { FileCodec } from './file-codec.js';

const gunzipAsync = promisify(gunzip);

/** `.ndjson.gz` at gzip level 6, as the forwarder writes it; reads multi-member files too. */
export const gzipNdjsonCodec: FileCodec = {
  extension: '.ndjson.gz',
  contentType: 'application/gzip',
  async toNdjson(file) {
    return new Uint8Array(await gunzipAsync(file));
  },
  fromNdjson: gzipLevel6,
};

/** `.ndjson.zst`, one zstd frame, as the forwarder writes it. */
export const zstdNdjsonCodec: FileCodec = {
  extension: '.ndjson.zst',
  contentType: 'application/zstd',
  toNdjson: zstdDecompress,
  fromNdjson: zstdCompress,
};

/** The formats the Node entry points read and write. */
export const nodeFileCodecs: readonly FileCodec[] = [gzipNdjsonCodec, zstdNdjsonCodec];
