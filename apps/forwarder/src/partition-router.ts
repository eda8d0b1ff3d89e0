import { type FileWriter, partitionOf } from '@sluice/layout';
import type { QueueEntry } from '@sluice/queue';
import pLimit from 'p-limit';
import { pruneWatermarks, type Watermarks } from './checkpoint.js';
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
  /** `resumeFrom`: every position below it is in an uploaded file or skipped. */
  saveCheckpoint(watermarks: Watermarks, resumeFrom: number): Promise<void>;
  ack(entries: readonly QueueEntry[]): Promise<void>;
}

export interface PartitionRouter {
  /** Starts from the watermarks of the stored checkpoint. */
  restore(watermarks: Watermarks): void;
  /** Buffers entries by partition and flushes the buffers that are full, too old or too big. */
  route(entries: readonly QueueEntry[]): Promise<void>;
  /** Flushes every buffer. */
  flushAll(): Promise<void>;
  buffered(): BufferedTotals;
}

/**
 * Routes entries to per-partition buffers and rotates them into files. Not reentrant:
 * the caller runs one call at a time, which keeps uploads of a partition sequential.
 */
export function createPartitionRouter(deps: RouterDeps): PartitionRouter {
  const { options, counter } = deps;
  const buffers = new Map<string, PartitionBuffer>();
  let watermarks: Watermarks = new Map();
  // Memory held: bytes in buffers, and bytes of flushed buffers not yet acknowledged.
  let bufferedBytes = 0;
  let uploadingBytes = 0;
  // Every position below it was acknowledged or sits in a buffer (or in the pending skips).
  let frontier = 0;
  let skipped: QueueEntry[] = [];
  // Flushed buffers whose upload, checkpoint or ack is not done: the oldest still unforwarded.
  const inFlight = new Set<PartitionBuffer>();

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
      if (keep && buffer && buffer.bytes + lineBytes > options.maxFileBytes) {
        await flush([buffer]);
        buffer = undefined;
      }
      if (!buffer) {
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
      if (buffer.bytes >= options.maxFileBytes) await flush([buffer]);
      while (bufferedBytes > options.maxBufferedBytes) await flush([largestBuffer()]);
    }
    const last = entries[entries.length - 1];
    if (last) frontier = last.position + 1;
    await ackSkipped();
    const now = deps.now();
    const aged = [...buffers.values()].filter((b) => now - b.openedAt >= options.maxFileAgeMs);
    if (aged.length > 0) await flush(aged);
  }

  async function ackSkipped(): Promise<void> {
    if (skipped.length === 0) return;
    const done = skipped;
    skipped = [];
    await deps.ack(done);
    counter.count('acked', done.length);
  }

  function largestBuffer(): PartitionBuffer {
    let largest: PartitionBuffer | undefined;
    for (const buffer of buffers.values()) {
      if (!largest || buffer.heldBytes > largest.heldBytes) largest = buffer;
    }
    if (!largest) throw new Error('no buffer to flush');
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
      await pLimit(options.uploadConcurrency).map(files, async (buffer) => {
        const bytes = await deps.writeFile(buffer);
        counter.uploaded(buffer.lineCount, bytes);
      });
      await deps.recordStored(files.flatMap((buffer) => buffer.storedIds()));
      let lowestUnacked = frontier;
      for (const buffer of [...targets, ...buffers.values()]) {
        lowestUnacked = Math.min(lowestUnacked, buffer.firstPosition);
      }
      for (const buffer of targets) watermarks.set(buffer.partition, buffer.lastPosition);
      pruneWatermarks(watermarks, lowestUnacked, (partition) => buffers.has(partition));
      await deps.saveCheckpoint(watermarks, lowestUnacked);
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
      watermarks = new Map(stored);
    },
    route,
    flushAll: () => flush([...buffers.values()]),
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
