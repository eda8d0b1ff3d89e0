// Parquet as the Node entry points write it: zstd pages through node:zlib, the same zstd as
// `.ndjson.zst`; synchronous calls, as hyparquet's page codecs are.

import * as zlib from 'node:zlib';
import { type ParquetCompression, parquetCodec, parquetFormat } from '@sluice/layout/parquet';
import { ZSTD_LEVEL } from './zstd.js';

function needZstd(): void {
  if (!zlib.zstdCompressSync) {
    throw new Error(`zstd needs Node 22.15+ (node:zlib has none in ${process.version})`);
  }
}

/** zstd at `ZSTD_LEVEL` for Parquet pages. */
export const parquetZstd: ParquetCompression = {
  codec: 'ZSTD',
  ready: async () => needZstd(),
  compress: (data) =>
    zlib.zstdCompressSync(data, {
      params: { [zlib.constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL },
      pledgedSrcSize: data.byteLength,
    }),
  decompress: (data) => zlib.zstdDecompressSync(data),
};

/** `.parquet` with zstd pages, as the forwarder, replay and import write it. */
export const zstdParquet = parquetFormat(parquetZstd);

/** Reads Parquet files of any page codec sluice writes, and writes them with zstd (compaction). */
export const zstdParquetCodec = parquetCodec(parquetZstd);
