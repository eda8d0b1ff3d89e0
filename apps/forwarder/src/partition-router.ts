import { type FileWriter, partitionOf } from '@sluice/layout';
import type { QueueEntry } from '@sluice/queue';
import pLimit from 'p-limit';
import {
  type CheckpointState,
  pruneWatermarks,
  type Uploading,
  type Watermarks,
} from './checkpoint.js';
import type { StoredId } from './dedup/dedup-index.js';
import type { ForwarderOptions } from './options.js';
import { PartitionBuffer } from './partition-buffer.js';
import type { BufferedTotals, StatsCounter } from './stats.js';

/** The side effects of a flush; each resolves only once done (the forwarder retries them). */
export interface RouterDeps {
  options: ForwarderOptions;
  now: () => number;
  counter: StatsCounter;
  /** Whether to keep an event: false for a repeat of one kept before (dedup window). */
  admit(entry: QueueEntry): boolean | Promise<boolean>;
  /** Encodes a buffer into its file and uploads it; resolves with the bytes written. */
  writeFile(buffer: PartitionBuffer): Promise<number>;
  /** Opens writers for `partition`'s files when its format compresses them as they grow. */
  writerFor?(partition: string): (() => FileWriter) | undefined;
  /** Records the kept events of uploaded files as stored: after the put, before the ack. */
  recordStored(ids: readonly StoredId[]): Promise<void>;
  /**
   * `resumeFrom`: every position below it is in an uploaded file or skipped; `uploading`: the
   * files whose put may have begun.
   */
  saveCheckpoint(watermarks: Watermarks, resumeFrom: number, uploading: Uploading): Promise<void>;
  ack(entries: readonly QueueEntry[]): Promise<void>;
}

export interface PartitionRouter {
  /** Starts from the watermarks and the begun uploads of the stored checkpoint. */
  restore(state: CheckpointState): void;
  /** Buffers entries by partition and flushes the buffers that are full, too old or too big. */
  route(entries: readonly QueueEntry[]): Promise<void>;
  /** Flushes every buffer, except a rewrite not read to its end (see `isHeld`). */
  flushAll(): Promise<void>;
  buffered(): BufferedTotals;
}

/**
 * Routes entries to per-partition buffers and rotates them into files. Not reentrant:
 * the caller runs one call at a time, which keeps uploads of a partition sequential.
 *
 * A file's key is its first position, so a restart that reads a file again after its put (the
 * crash came before the checkpoint) writes the same key again. It must write the same range:
 * cut shorter (by age, memory, or a stop before the rest is read again) it would replace lines
 * that are in the lake with fewer, until a later run writes the rest. So the range of every
 * file is saved in the checkpoint before its put (`uploading`), and after a restart the buffer
 * that starts there is held, cut by nothing, until it reaches that range's last position; a
 * stop leaves it unacknowledged, to be read again. Seen in e2e/reliability-crash.test.ts: a
 * stop soon after a restart replaced files with parts of them (10,450 of 50,000 events gone).
 */
export function createPartitionRouter(deps: RouterDeps): PartitionRouter {
  const { options, counter } = deps;
  const buffers = new Map<string, PartitionBuffer>();
  let watermarks: Watermarks = new Map();
  let uploading: Uploading = new Map();
  // Memory held: bytes in buffers, and bytes of flushed buffers not yet acknowledged.
  let bufferedBytes = 0;
  let uploadingBytes = 0;
  // Every position below it was acknowledged or sits in a buffer (or in the pending skips).
  let frontier = 0;
  let skipped: QueueEntry[] = [];
  // Flushed buffers whose upload, checkpoint or ack is not done: the oldest still unforwarded.
  const inFlight = new Set<PartitionBuffer>();

  /** The last position of the file a restart must write again whole, when `buffer` starts it. */
  function rewriteEnd(buffer: PartitionBuffer): number | undefined {
    const range = uploading.get(buffer.partition);
    return range && range.first === buffer.firstPosition ? range.last : undefined;
  }

  /** A rewrite whose range is not read to its end: no cut may shorten it. */
  function isHeld(buffer: PartitionBuffer): boolean {
    const end = rewriteEnd(buffer);
    return end !== undefined && frontier <= end;
  }

  /** Forgets a begun upload that no buffer of this run can start (its range is past). */
  function forgetStaleUpload(partition: string, first: number): void {
    const range = uploading.get(partition);
    if (range && first > range.first) uploading.delete(partition);
  }

  async function route(entries: readonly QueueEntry[]): Promise<void> {
    for (const entry of entries) {
      counter.count('read');
      frontier = entry.position;
      const partition = partitionOf(entry);
      const watermark = watermarks.get(partition);
      if (watermark !== undefined && entry.position <= watermark) {
        // Already in an uploaded file: a re-read after a restart.
        counter.count('skipped');
        skipped.push(entry);
        continue;
      }
      // Quarantined messages are all kept: they record what was refused, repeats included.
      const verdict = entry.kind === 'event' ? deps.admit(entry) : true;
      const keep = typeof verdict === 'boolean' ? verdict : await verdict;
      let buffer = buffers.get(partition);
      const lineBytes = entry.body.byteLength + 1;
      const end = buffer && rewriteEnd(buffer);
      if (buffer && end !== undefined && entry.position > end) {
        // The rewrite ends where the first run cut it, whatever the sizes say now.
        await flush([buffer]);
        buffer = undefined;
      } else if (
        keep &&
        buffer &&
        !isHeld(buffer) &&
        buffer.bytes + lineBytes > options.maxFileBytes
      ) {
        await flush([buffer]);
        buffer = undefined;
      }
      if (!buffer) {
        forgetStaleUpload(partition, entry.position);
        buffer = new PartitionBuffer(partition, deps.now(), deps.writerFor?.(partition));
        buffers.set(partition, buffer);
      }
      const before = buffer.heldBytes;
      if (keep) buffer.add(entry);
      else {
        buffer.addRepeat(entry);
        counter.count('repeatsDropped');
      }
      bufferedBytes += buffer.heldBytes - before;
      // A compressor that falls behind holds back reading rather than piling up lines.
      if (buffer.backlogged) await buffer.drained();
      if (rewriteEnd(buffer) === entry.position) await flush([buffer]);
      else if (!isHeld(buffer) && buffer.bytes >= options.maxFileBytes) await flush([buffer]);
      for (;;) {
        const largest = bufferedBytes > options.maxBufferedBytes ? largestBuffer() : undefined;
        if (!largest) break;
        await flush([largest]);
      }
    }
    const last = entries[entries.length - 1];
    if (last) frontier = last.position + 1;
    await ackSkipped();
    const now = deps.now();
    // A rewrite read past its end is complete: it is cut now, at its old end.
    const due = [...buffers.values()].filter((buffer) => {
      const end = rewriteEnd(buffer);
      if (end !== undefined) return end < frontier;
      return now - buffer.openedAt >= options.maxFileAgeMs;
    });
    if (due.length > 0) await flush(due);
  }

  async function ackSkipped(): Promise<void> {
    if (skipped.length === 0) return;
    const done = skipped;
    skipped = [];
    await deps.ack(done);
    counter.count('acked', done.length);
  }

  /** The buffer to cut when memory runs short; held rewrites wait (each is one old file). */
  function largestBuffer(): PartitionBuffer | undefined {
    let largest: PartitionBuffer | undefined;
    for (const buffer of buffers.values()) {
      if (isHeld(buffer)) continue;
      if (!largest || buffer.heldBytes > largest.heldBytes) largest = buffer;
    }
    return largest;
  }

  /** Upload -> record ids -> checkpoint -> ack: never acknowledges what is not in an uploaded file. */
  async function flush(targets: readonly PartitionBuffer[]): Promise<void> {
    // Pruning below assumes every read entry outside the buffers is acknowledged.
    await ackSkipped();
    if (targets.length === 0) return;
    let held = 0;
    for (const buffer of targets) {
      buffers.delete(buffer.partition);
      inFlight.add(buffer);
      held += buffer.heldBytes;
    }
    bufferedBytes -= held;
    uploadingBytes += held;
    try {
      // A buffer of dropped repeats only has no file: a first run that crashed after cutting it
      // kept nothing in it either (a re-run keeps at least as much), so wrote no such key.
      const files = targets.filter((buffer) => buffer.lineCount > 0);
      let lowestUnacked = frontier;
      for (const buffer of [...targets, ...buffers.values()]) {
        lowestUnacked = Math.min(lowestUnacked, buffer.firstPosition);
      }
      // Each file's range is in the checkpoint before its put (a rewrite's is there already).
      const unsaved = files.filter((buffer) => rewriteEnd(buffer) !== buffer.lastPosition);
      for (const buffer of unsaved) {
        uploading.set(buffer.partition, { first: buffer.firstPosition, last: buffer.lastPosition });
      }
      if (unsaved.length > 0) await deps.saveCheckpoint(watermarks, lowestUnacked, uploading);
      await pLimit(options.uploadConcurrency).map(files, async (buffer) => {
        const bytes = await deps.writeFile(buffer);
        counter.uploaded(buffer.lineCount, bytes);
      });
      await deps.recordStored(files.flatMap((buffer) => buffer.storedIds()));
      for (const buffer of targets) {
        watermarks.set(buffer.partition, buffer.lastPosition);
        uploading.delete(buffer.partition);
      }
      pruneWatermarks(watermarks, lowestUnacked, (partition) => buffers.has(partition));
      await deps.saveCheckpoint(watermarks, lowestUnacked, uploading);
      const consumed = targets.flatMap((buffer) => buffer.consumed);
      await deps.ack(consumed);
      counter.count('acked', consumed.length);
    } finally {
      uploadingBytes -= held;
      for (const buffer of targets) inFlight.delete(buffer);
    }
  }

  return {
    restore(stored) {
      watermarks = new Map(stored.watermarks);
      uploading = new Map(stored.uploading);
    },
    route,
    flushAll: () => flush([...buffers.values()].filter((buffer) => !isHeld(buffer))),
    buffered() {
      let lines = 0;
      let oldestOpenedAt: number | undefined;
      for (const buffer of buffers.values()) lines += buffer.lineCount;
      for (const buffer of [...buffers.values(), ...inFlight]) {
        oldestOpenedAt = Math.min(oldestOpenedAt ?? buffer.openedAt, buffer.openedAt);
      }
      return {
        bytes: bufferedBytes,
        uploadingBytes,
        lines,
        partitions: buffers.size,
        oldestOpenedAt,
      };
    },
  };
}
