// The embedded durable log: the default Queue of sluice, for one machine.
//
//   <dir>/segments/<20-digit first position>.log   records (see record-codec.ts)
//   <dir>/consumers/<name>.json                     committed position of a consumer
//   <dir>/damaged/<segment>@<start>-<end>.json      a damaged range, skipped (log-damage.ts)
//
//   <dir>/lock                                      the owner process (log-lock.ts)
//
// One process owns a directory at a time: a second one fails to open it (LogLockedError).

import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Queue, QueueMessage } from '../queue.js';
import { assertConsumerName, readCommitted, writeCommitted } from './consumer-offsets.js';
import { type FileModes, resolveModes } from './file-modes.js';
import { LogConsumer } from './log-consumer.js';
import { createDamageReporter } from './log-damage.js';
import { checkLogLimits, createLogRetention, type LogLimits } from './log-limits.js';
import { lockLogDir } from './log-lock.js';
import { LogWriter, type LogWriterStats } from './log-writer.js';
import { loadSegments } from './segment-table.js';

export interface LogQueueOptions extends LogLimits, FileModes {
  /** Directory of the log; created if missing. */
  dir: string;
  /**
   * 'fsync' (default): `append` resolves after fdatasync, so acknowledged messages
   * survive a power loss. 'none': it resolves once the OS has the data, which
   * survives a crash of the process but not of the machine.
   */
  durability?: 'fsync' | 'none';
  /** Roll to a new segment file once the active one reaches this many bytes (default 64 MiB). */
  segmentBytes?: number;
  /** Where the line about a damaged range goes (default `console.error`). */
  logDamage?: (line: string) => void;
}

export interface LogQueueStats extends LogWriterStats {
  /** Position of the oldest record kept. */
  firstPosition: number;
  /** Position the next appended record gets. */
  nextPosition: number;
  /** Segment files kept. */
  segments: number;
  /** Bytes cut off a torn tail when the log was opened. */
  recoveredTruncatedBytes: number;
  /** Bytes of the segment files (what `maxBytes` limits). */
  diskBytes: number;
  /** Damaged bytes skipped by this process's consumers (not torn tails). */
  corruptBytes: number;
  /** Damaged ranges met by this process. */
  damagedRanges: number;
}

export interface LogQueue extends Queue {
  consumer(name: string): Promise<LogConsumer>;
  appendFrames(frames: Buffer, records: number): Promise<void>;
  /** Records retained: appended and not yet deleted by retention. */
  depth(): number;
  stats(): LogQueueStats;
}

export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;

/**
 * Opens (or creates) the log in `options.dir`, cutting off a torn tail left by a crash.
 *
 * Retention: when a new segment is rolled, older segments whose every position is
 * below the committed position of every consumer on disk are deleted, once they are
 * beyond `retainBytes`/`retainMs` of forwarded history. With no consumer at all
 * nothing is deleted, so events appended before the first forwarder started are kept
 * for it. With `maxBytes`, an append that would pass the budget fails with
 * QueueFullError instead of deleting anything not yet forwarded (log-limits.ts).
 */
export async function openLogQueue(options: LogQueueOptions): Promise<LogQueue> {
  const modes = resolveModes(options);
  await mkdir(options.dir, { recursive: true, mode: modes.dirMode });
  const lock = await lockLogDir(options.dir, modes.fileMode);
  const queue = await openLocked(options).catch(async (error: unknown) => {
    await lock.release();
    throw error;
  });
  return { ...queue, close: () => queue.close().finally(() => lock.release()) };
}

async function openLocked(options: LogQueueOptions): Promise<LogQueue> {
  const sync = (options.durability ?? 'fsync') === 'fsync';
  const segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
  if (!(segmentBytes > 0)) throw new RangeError(`segmentBytes must be positive: ${segmentBytes}`);
  const limits: LogLimits = {
    maxBytes: options.maxBytes,
    retainBytes: options.retainBytes,
    retainMs: options.retainMs,
  };
  checkLogLimits(limits);
  const segmentsDir = join(options.dir, 'segments');
  const consumersDir = join(options.dir, 'consumers');
  const modes = resolveModes(options);
  await mkdir(consumersDir, { recursive: true, mode: modes.dirMode });
  const reporter = createDamageReporter({ dir: options.dir, ...modes, log: options.logDamage });
  const loaded = await loadSegments(segmentsDir, sync, modes, reporter);
  // The budget counts every segment file: learn the sizes of those found on open (final).
  for (const segment of loaded.segments) {
    if (Number.isNaN(segment.bytes)) segment.bytes = (await stat(segment.path)).size;
  }
  const retention = createLogRetention({
    segments: loaded.segments,
    consumersDir,
    limits,
    roll: () => writer.roll(),
  });
  const writer: LogWriter = new LogWriter(loaded.segments, loaded.activeFile, {
    segmentsDir,
    sync,
    fileMode: modes.fileMode,
    segmentBytes,
    afterRoll: () => retention.afterRoll(),
    reserve: limits.maxBytes === undefined ? undefined : (bytes) => retention.reserve(bytes),
  });
  const open = new Map<string, Promise<LogConsumer>>();
  let closed = false;

  async function openConsumer(name: string): Promise<LogConsumer> {
    let committed = await readCommitted(consumersDir, name);
    if (committed === undefined) {
      // A new consumer starts at the oldest record kept; its file makes it count for retention.
      committed = writer.firstPosition;
      await writeCommitted(consumersDir, name, committed, sync, modes.fileMode);
    }
    // Records past the log's end can only be missing after a power loss in 'none' mode.
    committed = Math.min(Math.max(committed, writer.firstPosition), writer.nextPosition);
    return new LogConsumer(writer, {
      name,
      consumersDir,
      sync,
      committed,
      fileMode: modes.fileMode,
      reporter,
      onClose: () => open.delete(name),
    });
  }

  return {
    append: (messages: readonly QueueMessage[]) => writer.append(messages),
    appendFrames: (frames: Buffer, records: number) => writer.appendFrames(frames, records),

    consumer(name: string): Promise<LogConsumer> {
      if (closed) return Promise.reject(new Error('log queue is closed'));
      try {
        assertConsumerName(name);
      } catch (error) {
        return Promise.reject(error);
      }
      if (open.has(name)) return Promise.reject(new Error(`consumer ${name} is already open`));
      const consumer = openConsumer(name);
      open.set(name, consumer);
      consumer.catch(() => open.delete(name));
      return consumer;
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      const consumers = await Promise.allSettled(open.values());
      for (const result of consumers) {
        if (result.status === 'fulfilled') await result.value.close();
      }
      await writer.close();
    },

    depth: () => writer.nextPosition - writer.firstPosition,

    stats: () => ({
      ...writer.stats(),
      firstPosition: writer.firstPosition,
      nextPosition: writer.nextPosition,
      segments: writer.segments.length,
      recoveredTruncatedBytes: loaded.truncatedBytes,
      diskBytes: retention.diskBytes(),
      corruptBytes: reporter.corruptBytes(),
      damagedRanges: reporter.damagedRanges(),
    }),
  };
}
