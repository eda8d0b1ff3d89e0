// The file formats a Worker writes, on Web APIs only. Parquet is the layout's own writer
// (@sluice/layout/parquet: hyparquet-writer, pure JavaScript), so a Worker's files have the
// same columns, the same JSON columns and the same `extra` as the Node forwarder's and one
// query reads both; only the page codec differs.
//
// Why Snappy pages, not the Node files' zstd or gzip: hyparquet calls a page codec
// synchronously, and the Workers runtime compresses only asynchronously (CompressionStream),
// so gzip cannot be a page codec here; zstd would mean a wasm module in the bundle and its
// memory beside the file's in a 128 MB isolate. Snappy is built into hyparquet-writer (pure
// JS, nothing to inject), every Parquet reader (DuckDB, Spark, Athena, hyparquet) reads it,
// and it is what most Parquet writers default to. The cost is size: Snappy files are larger
// than zstd ones (see BENCHMARKS.md). Uncompressed would save the CPU, but not the bytes.
//
// The bytes depend only on the rows: hyparquet-writer puts no time or random value in a file
// (created_by is the constant 'hyparquet'), so a cut retried after a crash puts the same
// bytes under the same name (partition-files.ts).
import { gunzip, gzip } from '@sluice/forwarder/push';
import {
  encodeNdjson,
  type FileCodec,
  type FileFormat,
  type FileLine,
  isQuarantinePartition,
  ndjsonCodec,
  ndjsonFormat,
} from '@sluice/layout';
import { parquetCodec, parquetFormat } from '@sluice/layout/parquet';
import type { WorkerFormatName } from './file-settings.js';

const GZIP_NDJSON = ndjsonFormat('ndjson-gzip', gzip);
/** Snappy pages (no compressor injected: hyparquet-writer's own). */
const SNAPPY_PARQUET = parquetFormat();

/** The format of `partition`'s files: the setting's for events, gzip NDJSON for quarantine. */
export function formatOf(partition: string, format: WorkerFormatName): FileFormat {
  if (isQuarantinePartition(partition) || format === 'ndjson-gzip') return GZIP_NDJSON;
  return SNAPPY_PARQUET;
}

/** A file of `bodies` (NDJSON lines without the newline) with their event times. */
export function encodeFile(
  format: FileFormat,
  bodies: readonly Uint8Array[],
  times: readonly number[],
): Promise<Uint8Array> {
  const lines: FileLine[] = bodies.map((body, i) => ({ body, time: times[i] ?? Number.NaN }));
  return format.encode({ lines, toNdjson: () => encodeNdjson(bodies) });
}

/**
 * What compaction reads and writes: gzip NDJSON and Parquet (merged into Snappy Parquet, also
 * files of another page codec hyparquet reads).
 */
export const WORKER_CODECS: readonly FileCodec[] = [
  ndjsonCodec('ndjson-gzip', { compress: gzip, decompress: gunzip }),
  parquetCodec(),
];
