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
// its own files only. Watermarks, the `watermark` option and `acknowledgedBelow` speak of
// partition 0's positions; for the other partitions the newest file of each is held back
// until a later file of that partition exists (conservative: at most one small file each).

import { CHECKPOINT_PREFIX, forwarderFileOf } from '@sluice/layout';
import type { ObjectStore } from '@sluice/store';
import { parseCheckpoint } from '../checkpoint.js';

// The checkpoint of log partition i >= 1 (start-partition-forwarders.ts): other positions.
const LOG_PARTITION_CHECKPOINT = /-w[1-9]\d*\.json$/;

/**
 * Partition -> highest watermark over every forwarder checkpoint in the store, except those of
 * log partitions >= 1, whose positions are not log partition 0's.
 */
export async function loadCheckpointWatermarks(store: ObjectStore): Promise<Map<string, number>> {
  const merged = new Map<string, number>();
  for await (const { key } of store.list(CHECKPOINT_PREFIX)) {
    if (!key.endsWith('.json') || LOG_PARTITION_CHECKPOINT.test(key)) continue;
    for (const [partition, watermark] of parseCheckpoint(key, await store.get(key))) {
      merged.set(partition, Math.max(merged.get(partition) ?? -1, watermark));
    }
  }
  return merged;
}

export interface SettlementFacts {
  /** Names of the partition's live files and of the inputs its manifest lists as replaced. */
  names: readonly string[];
  /** The checkpoint watermark for this partition, if any. */
  watermark?: number;
  /** Every queue position below it is acknowledged. */
  acknowledgedBelow?: number;
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
    if (logPartition === 0) {
      if (facts.watermark !== undefined && facts.watermark >= position) continue;
      if (facts.acknowledgedBelow !== undefined && position < facts.acknowledgedBelow) continue;
    }
    unsettled.push(name);
  }
  return unsettled;
}
