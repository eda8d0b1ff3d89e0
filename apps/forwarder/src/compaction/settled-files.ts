// Which forwarder file may still change. The forwarder names a file by its first position and,
// after a crash between the upload and its checkpoint, uploads the same key again, cut wherever
// the new run cuts it (forwarder.ts). Merging that file and dropping its key would then lose the
// lines the new cut adds, or count twice those it gives to the next file. Only a partition's
// newest forwarder file can be in that state (uploads of a partition are sequential, each
// followed by its checkpoint), and it is final once:
// - the forwarder wrote a later file in the same partition (so this one's checkpoint was saved),
// - a checkpoint's watermark for the partition reaches its first position, or
// - the queue consumer acknowledged its first position (acks follow the checkpoint).
// With workers (`--workers N`) each log partition has its own positions, checkpoint
// (`<group>-w<i>`) and file names (`w<i>-<position>`): a partition's files are compared with
// its own files, its own checkpoint's watermarks and its own acknowledged position only
// (`acknowledgedBelow` by log partition). A log partition with neither keeps its newest file.

import { CHECKPOINT_PREFIX, forwarderFileOf } from '@sluice/layout';
import type { ObjectStore } from '@sluice/store';
import { parseCheckpoint } from '../checkpoint.js';

// The checkpoint of log partition i >= 1 (start-partition-forwarders.ts): other positions.
const LOG_PARTITION_CHECKPOINT = /-w([1-9]\d*)\.json$/;

/** Log partition (0 for a single-worker run) -> a queue position of that partition. */
export type LogPartitionPositions = ReadonlyMap<number, number>;

/** The log partition whose positions the checkpoint at `key` holds. */
export function logPartitionOfCheckpoint(key: string): number {
  const match = LOG_PARTITION_CHECKPOINT.exec(key);
  return match ? Number(match[1]) : 0;
}

/**
 * Folder -> log partition -> highest watermark over the forwarder checkpoints in the store of
 * that log partition (each counts its own positions).
 */
export async function loadCheckpointWatermarks(
  store: ObjectStore,
): Promise<Map<string, Map<number, number>>> {
  const merged = new Map<string, Map<number, number>>();
  for await (const { key } of store.list(CHECKPOINT_PREFIX)) {
    if (!key.endsWith('.json')) continue;
    const logPartition = logPartitionOfCheckpoint(key);
    for (const [partition, watermark] of parseCheckpoint(key, await store.get(key))) {
      const byLog = merged.get(partition) ?? new Map<number, number>();
      byLog.set(logPartition, Math.max(byLog.get(logPartition) ?? -1, watermark));
      merged.set(partition, byLog);
    }
  }
  return merged;
}

export interface SettlementFacts {
  /** Names of the partition's live files and of the inputs its manifest lists as replaced. */
  names: readonly string[];
  /** The checkpoint watermarks for this partition, by log partition. */
  watermarks?: LogPartitionPositions;
  /** By log partition: every queue position below it is acknowledged. */
  acknowledgedBelow?: LogPartitionPositions;
}

/** The names of the partition's forwarder files that may still be rewritten (one per log partition at most). */
export function unsettledFilesOf(facts: SettlementFacts): string[] {
  const newest = new Map<number, { name: string; position: number }>();
  for (const name of facts.names) {
    const file = forwarderFileOf(name);
    if (file === undefined) continue;
    const held = newest.get(file.logPartition);
    if (!held || file.position > held.position) {
      newest.set(file.logPartition, { name, position: file.position });
    }
  }
  const unsettled: string[] = [];
  for (const [logPartition, { name, position }] of newest) {
    const watermark = facts.watermarks?.get(logPartition);
    if (watermark !== undefined && watermark >= position) continue;
    const acknowledged = facts.acknowledgedBelow?.get(logPartition);
    if (acknowledged !== undefined && position < acknowledged) continue;
    unsettled.push(name);
  }
  return unsettled;
}

/** The acknowledged positions the compaction options give, by log partition. */
export function acknowledgedByLogPartition(options: {
  acknowledgedBelow?: number;
  logPartitionsAcknowledgedBelow?: Record<string, number>;
}): LogPartitionPositions {
  const positions = new Map<number, number>();
  if (options.acknowledgedBelow !== undefined) positions.set(0, options.acknowledgedBelow);
  for (const [index, position] of Object.entries(options.logPartitionsAcknowledgedBelow ?? {})) {
    positions.set(Number(index), position);
  }
  return positions;
}
