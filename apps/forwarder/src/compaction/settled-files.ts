// Which forwarder file may still change. The forwarder names a file by its first position and,
// after a crash between the upload and its checkpoint, uploads the same key again, cut wherever
// the new run cuts it (forwarder.ts). Merging that file and dropping its key would then lose the
// lines the new cut adds, or count twice those it gives to the next file. Only a partition's
// newest forwarder file can be in that state (uploads of a partition are sequential, each
// followed by its checkpoint), and it is final once:
// - the forwarder wrote a later file in the same partition (so this one's checkpoint was saved),
// - a checkpoint's watermark for the partition reaches its first position, or
// - the queue consumer acknowledged its first position (acks follow the checkpoint).

import { CHECKPOINT_PREFIX, forwarderPositionOf } from '@sluice/layout';
import type { ObjectStore } from '@sluice/store';
import { parseCheckpoint } from '../checkpoint.js';

/** Partition -> highest watermark over every forwarder checkpoint in the store. */
export async function loadCheckpointWatermarks(store: ObjectStore): Promise<Map<string, number>> {
  const merged = new Map<string, number>();
  for await (const { key } of store.list(CHECKPOINT_PREFIX)) {
    if (!key.endsWith('.json')) continue;
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

/** The name of the partition's newest forwarder file if it may still be rewritten, else undefined. */
export function unsettledFileOf(facts: SettlementFacts): string | undefined {
  let newest: { name: string; position: number } | undefined;
  for (const name of facts.names) {
    const position = forwarderPositionOf(name);
    if (position !== undefined && (!newest || position > newest.position)) {
      newest = { name, position };
    }
  }
  if (!newest) return undefined;
  if (facts.watermark !== undefined && facts.watermark >= newest.position) return undefined;
  if (facts.acknowledgedBelow !== undefined && newest.position < facts.acknowledgedBelow) {
    return undefined;
  }
  return newest.name;
}
