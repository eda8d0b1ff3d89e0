// One dedup window for the forwarders of every partition of the embedded log (`--workers N`).
//
// Why shared: a sender that retries (an unseen answer, a resend from the tag's storage) may
// reach another worker, so the copies of one messageId land in different log partitions. A
// window per partition would keep both. One window (one index, one set of pending ids) keeps
// the argument of repeat-window.ts across partitions: an id is kept once, by the first
// partition that reads it; a copy in another partition is dropped only while the kept one is
// pending (not acknowledged, so a restart reads and keeps it again) or stored.
//
// Why positions are moved: the window tells "this very event, read again after a crash" from
// "a repeat" by the position recorded with the id, and every partition counts positions from 0.
// Each partition's positions are offset by `logPartition * PARTITION_SPAN`, so no two
// partitions share one; partition 0 keeps its own positions, so an index written before
// workers (or by a single-worker run) means the same.

import type { QueueEntry } from '@sluice/queue';
import type { RepeatWindow } from './repeat-window.js';

/** Positions a log partition may reach before its offset meets the next one's (2^47). */
export const PARTITION_SPAN = 2 ** 47;

/** Log partitions the offsets leave room for within safe integers (2^53 / 2^47). */
export const MAX_LOG_PARTITIONS = 64;

/**
 * The view of `shared` one log partition's forwarder uses: the same window, with positions
 * offset by the partition; `load` runs once for all views.
 */
export function partitionRepeatWindow(
  shared: RepeatWindow,
  logPartition: number,
  loadOnce: () => Promise<void>,
): RepeatWindow {
  if (!Number.isInteger(logPartition) || logPartition < 0 || logPartition >= MAX_LOG_PARTITIONS) {
    throw new RangeError(`log partition must be 0..${MAX_LOG_PARTITIONS - 1}: ${logPartition}`);
  }
  const offset = logPartition * PARTITION_SPAN;
  const moved = (position: number) => {
    if (position >= PARTITION_SPAN) {
      throw new RangeError(`log partition ${logPartition}: position ${position} is past 2^47`);
    }
    return offset + position;
  };
  return {
    load: loadOnce,
    admit: (entry: QueueEntry) =>
      offset === 0
        ? shared.admit(entry)
        : shared.admit({ ...entry, position: moved(entry.position) }),
    record: (kept) =>
      shared.record(
        offset === 0 ? kept : kept.map(({ id, position }) => ({ id, position: moved(position) })),
      ),
    stats: () => shared.stats(),
  };
}

/** `load` of `window` run once, shared by every caller; a failed load is tried again. */
export function loadOnceOf(window: RepeatWindow): () => Promise<void> {
  let loading: Promise<void> | undefined;
  return () => {
    loading ??= window.load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}
