// zstd through node:zlib (Node 22.15+ and 23.8+ bundle the reference library). Until Node 20
// was dropped this was a wasm build (@bokuweb/zstd-wasm); with the source size pledged the
// frames are the same bytes as that build's, so files written by either read with the other.

import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { type FileFormat, ndjsonFormat } from '@sluice/layout';

/** zstd's default level: about gzip's ratio at several times its speed. */
export const ZSTD_LEVEL = 3;

// Looked up on use, not imported by name: a Node without zstd can still load the forwarder
// for gzip and Parquet, and says why zstd fails.
type ZstdCodec = (data: Uint8Array, options: zlib.ZstdOptions) => Promise<Buffer>;
function codec(run: typeof zlib.zstdCompress | undefined): ZstdCodec {
  if (!run) throw new Error(`zstd needs Node 22.15+ (node:zlib has none in ${process.version})`);
  return promisify(run) as ZstdCodec;
}

/** Compresses with zstd at `ZSTD_LEVEL`, on libuv's thread pool. */
export async function zstdCompress(data: Uint8Array): Promise<Uint8Array> {
  return codec(zlib.zstdCompress)(data, {
    params: { [zlib.constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL },
    // Writes the size into the frame header (as one-shot ZSTD_compress does); readers that
    // size their output from it, like the wasm build, need it.
    pledgedSrcSize: data.byteLength,
  });
}

/** Decompresses zstd (as `zstdCompress` writes it), e.g. to read `.ndjson.zst` back. */
export async function zstdDecompress(data: Uint8Array): Promise<Uint8Array> {
  return codec(zlib.zstdDecompress)(data, {});
}

/** zstd NDJSON, `.ndjson.zst` (DuckDB, ClickHouse, Spark and Athena read it). */
export const zstdNdjson: FileFormat = ndjsonFormat('ndjson-zstd', zstdCompress);
