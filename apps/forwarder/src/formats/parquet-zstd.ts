// Parquet as the Node entry points write it: zstd pages, through the same wasm zstd as
// `.ndjson.zst` (its calls are synchronous once the module is loaded, as hyparquet needs).

import { compress, decompress } from '@bokuweb/zstd-wasm';
import { type ParquetCompression, parquetCodec, parquetFormat } from '@sluice/layout/parquet';
import { loadZstd, ZSTD_LEVEL } from './zstd.js';

/** zstd at `ZSTD_LEVEL` for Parquet pages. */
export const parquetZstd: ParquetCompression = {
  codec: 'ZSTD',
  ready: loadZstd,
  compress: (data) => compress(data, ZSTD_LEVEL),
  decompress: (data) => decompress(data),
};

/** `.parquet` with zstd pages, as the forwarder, replay and import write it. */
export const zstdParquet = parquetFormat(parquetZstd);

/** Reads Parquet files of any page codec sluice writes, and writes them with zstd (compaction). */
export const zstdParquetCodec = parquetCodec(parquetZstd);
