// `sluice compact --acknowledged-below`: the position each log partition's forwarder has
// acknowledged. With `--workers N` every partition counts its own positions (log-partitions.ts),
// so one number cannot speak for all: it is partition 0's, and a store that holds checkpoints of
// other partitions needs one value each (`w<i>=<position>`), else compaction is refused rather
// than taking a newest file some partition may still rewrite.
import { logPartitionOfCheckpoint } from '@sluice/forwarder';
import { CHECKPOINT_PREFIX } from '@sluice/layout';
import type { ObjectStore } from '@sluice/store';

export interface AcknowledgedBelow {
  acknowledgedBelow?: number;
  logPartitionsAcknowledgedBelow?: Record<string, number>;
}

const VALUE = /^(?:w([1-9]\d{0,3})=)?(\d+)$/;

/** Parses each `<position>` (partition 0) or `w<i>=<position>` given; throws on a bad one. */
export function parseAcknowledgedBelow(values: readonly string[]): AcknowledgedBelow {
  const parsed: AcknowledgedBelow = {};
  for (const value of values) {
    const match = VALUE.exec(value);
    if (!match) {
      throw new Error(
        `--acknowledged-below ${value}: give <position> (log partition 0) or w<i>=<position>`,
      );
    }
    const position = Number(match[2]);
    if (match[1] === undefined) parsed.acknowledgedBelow = position;
    else {
      parsed.logPartitionsAcknowledgedBelow = {
        ...parsed.logPartitionsAcknowledgedBelow,
        [match[1]]: position,
      };
    }
  }
  return parsed;
}

/**
 * The log partitions >= 1 whose checkpoints are in `store` and that `given` has no position
 * for: the flag would apply to the others only, which a user giving one number does not expect.
 */
export async function logPartitionsWithout(
  store: ObjectStore,
  given: AcknowledgedBelow,
): Promise<number[]> {
  const missing = new Set<number>();
  for await (const { key } of store.list(CHECKPOINT_PREFIX)) {
    const index = logPartitionOfCheckpoint(key);
    if (index > 0 && given.logPartitionsAcknowledgedBelow?.[index] === undefined) {
      missing.add(index);
    }
  }
  return [...missing].sort((a, b) => a - b);
}
