// zstd through a WebAssembly build of the reference library (@bokuweb/zstd-wasm): Node 20 has
// no zstd in node:zlib (22.15 added one), and the wasm build needs no native binary.

import { compress, decompress, init } from '@bokuweb/zstd-wasm';
import { type FileFormat, ndjsonFormat } from '@sluice/layout';

/** zstd's default level: about gzip's ratio at several times its speed. */
export const ZSTD_LEVEL = 3;

// One initialisation per process: a second `init()` replaces the module under earlier callers.
let ready: Promise<void> | undefined;

/** Loads the wasm module once; the synchronous `compress` and `decompress` work after it. */
export function loadZstd(): Promise<void> {
  ready ??= init();
  return ready;
}

/** Compresses with zstd at `ZSTD_LEVEL`; loads the wasm module on first use. */
export async function zstdCompress(data: Uint8Array): Promise<Uint8Array> {
  await loadZstd();
  return compress(data, ZSTD_LEVEL);
}

/** Decompresses one zstd frame (as `zstdCompress` writes them), e.g. to read `.ndjson.zst` back. */
export async function zstdDecompress(data: Uint8Array): Promise<Uint8Array> {
  await loadZstd();
  return decompress(data);
}

/** zstd NDJSON, `.ndjson.zst` (DuckDB, ClickHouse, Spark and Athena read it). */
export const zstdNdjson: FileFormat = ndjsonFormat('ndjson-zstd', zstdCompress);
