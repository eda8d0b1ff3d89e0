// Retention and the disk budget of the embedded log.
//
// - Retention (`retainBytes`, `retainMs`): how much already-forwarded history to keep, e.g. to
//   let a new consumer or a replay read it. A sealed segment that every consumer has committed
//   past is kept while it is within every limit set (the forwarded history at most
//   `retainBytes`, the segment younger than `retainMs`); with neither set, it is deleted at
//   the next roll. Checked at each roll and when the budget needs room.
// - The disk budget (`maxBytes`): the most bytes the segment files may take. An append that
//   would pass it first frees forwarded segments (whatever the retention says); if what is
//   left is events not yet forwarded, the append fails with QueueFullError: the collector
//   answers 503 with Retry-After and nothing is acknowledged, until the forwarder catches up.
//   Events not yet forwarded are never deleted to make room.

import { stat, unlink } from 'node:fs/promises';
import { QueueFullError } from '../queue.js';
import { readAllCommitted } from './consumer-offsets.js';
import type { SegmentInfo } from './segment-table.js';

export interface LogLimits {
  /** Disk budget of the segment files in bytes (default: none, until the disk is full). */
  maxBytes?: number;
  /** Forwarded history kept, in bytes (default: not limited by size). */
  retainBytes?: number;
  /** Forwarded history kept, by age of the segment's last write in ms (default: not by age). */
  retainMs?: number;
}

/** Checked before each group commit and run after each roll. */
export interface LogRetention {
  /** Throws QueueFullError when `bytes` more would pass the budget even after freeing space. */
  reserve(bytes: number): Promise<void>;
  /** Deletes forwarded segments beyond the retention. */
  afterRoll(): Promise<void>;
  /** Bytes of the segment files. */
  diskBytes(): number;
}

/** Seconds a client should wait after the budget refused an append. */
const FULL_RETRY_AFTER_SECONDS = 5;
/** After a check that freed nothing, later appends are refused without reading consumers again. */
const RECHECK_MS = 200;

export function checkLogLimits(limits: LogLimits): void {
  for (const [name, value] of Object.entries(limits)) {
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
      throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
    }
  }
}

export function createLogRetention(deps: {
  segments: SegmentInfo[];
  consumersDir: string;
  limits: LogLimits;
  /** Rolls the active segment (so a forwarded active segment can be deleted). */
  roll: () => Promise<void>;
  now?: () => number;
}): LogRetention {
  const { segments, limits } = deps;
  const now = deps.now ?? Date.now;
  let refusedAt = Number.NEGATIVE_INFINITY;

  const diskBytes = () =>
    segments.reduce((sum, s) => sum + (Number.isNaN(s.bytes) ? 0 : s.bytes), 0);

  /** The lowest committed position of the consumers on disk; undefined with no consumer. */
  async function floor(): Promise<number | undefined> {
    // From disk, not memory: a consumer resumes from its file, so only that may free a segment.
    const committed = [...(await readAllCommitted(deps.consumersDir)).values()];
    return committed.length === 0 ? undefined : Math.min(...committed);
  }

  async function deleteForwarded(mustFree: number): Promise<void> {
    const low = await floor();
    if (low === undefined) return;
    let forwardedBytes = 0;
    for (const segment of segments) {
      if (segment.sealed && segment.end <= low) forwardedBytes += await sizeOf(segment);
    }
    let freed = 0;
    while (segments.length > 1 && segments[0]!.sealed && segments[0]!.end <= low) {
      const oldest = segments[0]!;
      const info = await stat(oldest.path);
      const { retainBytes, retainMs } = limits;
      const keep =
        freed >= mustFree &&
        (retainBytes !== undefined || retainMs !== undefined) &&
        (retainBytes === undefined || forwardedBytes - freed <= retainBytes) &&
        (retainMs === undefined || now() - info.mtimeMs < retainMs);
      if (keep) break;
      await unlink(oldest.path);
      segments.shift();
      freed += info.size;
    }
  }

  return {
    diskBytes,
    afterRoll: () => deleteForwarded(0),
    async reserve(bytes) {
      const budget = limits.maxBytes;
      if (budget === undefined || diskBytes() + bytes <= budget) return;
      if (now() - refusedAt >= RECHECK_MS) {
        const active = segments[segments.length - 1]!;
        const low = await floor();
        // A forwarded active segment can only go once it is sealed.
        if (low !== undefined && active.bytes > 0 && low >= active.end) await deps.roll();
        await deleteForwarded(diskBytes() + bytes - budget);
        if (diskBytes() + bytes <= budget) return;
        refusedAt = now();
      }
      throw new QueueFullError(
        `log queue disk budget reached: ${diskBytes()} of ${budget} bytes hold events not yet forwarded; ` +
          'appends resume as the forwarder catches up (or raise maxBytes)',
        FULL_RETRY_AFTER_SECONDS,
      );
    },
  };
}

async function sizeOf(segment: SegmentInfo): Promise<number> {
  // Segments found on open have no recorded size: their file size is final.
  if (Number.isNaN(segment.bytes)) segment.bytes = (await stat(segment.path)).size;
  return segment.bytes;
}
