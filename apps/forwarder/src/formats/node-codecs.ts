// The file formats the Node entry points read and rewrite: gzip NDJSON through node:zlib and
// zstd NDJSON through node:zlib's zstd (names and Content-Types: @sluice/layout).
// Parquet's codec reads rows back as events (compaction merges Parquet into Parquet); erasure
// rewrites Parquet row by row instead (erasure/erase-parquet.ts).

import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { type FileCodec, ndjsonCodec } from '@sluice/layout';
import { gzipLevel6, gzipWriter } from './gzip.js';
import { zstdParquetCodec } from './parquet-zstd.js';
import { zstdCompress, zstdDecompress } from './zstd.js';

const gunzipAsync = promisify(gunzip);

/** `.ndjson.gz` at gzip level 6, as the forwarder writes it; reads multi-member files too. */
export const gzipNdjsonCodec: FileCodec = ndjsonCodec(
  'ndjson-gzip',
  {
    compress: gzipLevel6,
    decompress: async (file) => new Uint8Array(await gunzipAsync(file)),
  },
  gzipWriter,
);

/** `.ndjson.zst`, one zstd frame, as the forwarder writes it. */
export const zstdNdjsonCodec: FileCodec = ndjsonCodec('ndjson-zstd', {
  compress: zstdCompress,
  decompress: zstdDecompress,
});

/** The formats the Node entry points read and write. */
export const nodeFileCodecs: readonly FileCodec[] = [
  gzipNdjsonCodec,
  zstdNdjsonCodec,
  zstdParquetCodec,
];
