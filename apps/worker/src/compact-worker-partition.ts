// The Worker's compaction of one partition: the forwarder's compaction core itself
// (@sluice/forwarder/compaction, runtime-free), over the R2 store adapter, with gzip NDJSON
// through CompressionStream and Parquet with Snappy pages (worker-formats.ts). Its crash safety is the core's manifest protocol
// (compact-partition.ts): outputs, then one manifest put as the switch, then deletes; R2's
// puts are atomic and its listings consistent, which is all that protocol asks of a store.
// One compaction at a time per partition: only the partition's own Durable Object runs it.
import type { R2Bucket } from '@cloudflare/workers-types';
import { compactPartition, type PartitionCompaction } from '@sluice/forwarder/compaction';
import { createR2Store } from '@sluice/store/r2';
import { WORKER_CODECS } from './worker-formats.js';

/** The Worker's own floor for SLUICE_FILE_BYTES (file-settings.ts). */
const MIN_FILE_BYTES = 64 * 1024;

/**
 * Merges the partition's small files (under half of `targetFileBytes` of NDJSON), gzip NDJSON
 * and Parquet each into its own format, into files of up to `targetFileBytes`; files of other
 * formats, and big ones, stay as they are.
 */
export function compactWorkerPartition(
  bucket: R2Bucket,
  partition: string,
  targetFileBytes: number,
): Promise<PartitionCompaction> {
  return compactPartition({ store: createR2Store(bucket), codecs: WORKER_CODECS }, partition, {
    targetFileBytes,
    minFileBytes: MIN_FILE_BYTES,
  });
}
