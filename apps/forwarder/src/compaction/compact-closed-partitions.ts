import { isPartitionClosed } from '@sluice/layout';
import type { ObjectStore } from '@sluice/store';
import { listPartitionFolders } from '../live-files.js';
import {
  type CompactionDeps,
  type CompactionProgress,
  compactPartition,
  type PartitionCompaction,
} from './compact-partition.js';
import { type CompactionOptionsInput, parseCompactionOptions } from './compaction-options.js';
import { loadCheckpointWatermarks } from './settled-files.js';

export interface CompactClosedPartitionsDeps extends CompactionDeps {
  /** Wall clock, ms since the epoch. Default `Date.now`. */
  now?: () => number;
}

export interface CompactClosedPartitionsOptions extends CompactionOptionsInput {
  onProgress?: (progress: CompactionProgress) => void;
}

export interface ClosedPartitionsCompaction {
  /** Closed partitions looked at (compacted, or already compact). */
  partitions: PartitionCompaction[];
  /** Partitions still open (their hour plus grace has not passed). */
  open: number;
  /** Partitions whose compaction failed; the others went on. Running again resumes them. */
  failed: { partition: string; error: unknown }[];
}

/**
 * Compacts every partition below `prefixes` whose event time ended at least `graceMs` ago
 * (`now`), one at a time. Safe to run again at any point, also after a crash.
 */
export async function compactClosedPartitions(
  deps: CompactClosedPartitionsDeps,
  options: CompactClosedPartitionsOptions = {},
): Promise<ClosedPartitionsCompaction> {
  const { onProgress, ...rest } = options;
  const parsed = parseCompactionOptions(rest);
  const now = (deps.now ?? Date.now)();
  const watermarks = await loadCheckpointWatermarks(deps.store);
  const report: ClosedPartitionsCompaction = { partitions: [], open: 0, failed: [] };
  for (const partition of await partitionFolders(deps.store, parsed.prefixes)) {
    if (!isPartitionClosed(partition, now, parsed.graceMs)) {
      report.open++;
      continue;
    }
    try {
      report.partitions.push(
        await compactPartition(deps, partition, {
          ...rest,
          watermarks: watermarks.get(partition),
          onProgress,
        }),
      );
    } catch (error) {
      report.failed.push({ partition, error });
    }
  }
  return report;
}

async function partitionFolders(
  store: ObjectStore,
  prefixes: readonly string[],
): Promise<string[]> {
  const folders = new Set<string>();
  for (const prefix of prefixes) {
    for (const folder of await listPartitionFolders(store, prefix)) folders.add(folder);
  }
  return [...folders].sort();
}
