// Reads a log directory without owning it: no recovery, no consumer file, nothing written.
// So a replay can run in its own process while the collector and the forwarder keep the
// log open; it adds nothing that holds back retention (a consumer would, until removed).

import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { QueueEntry } from '../queue.js';
import { skipDamage } from './damage-skip.js';
import { readFrames } from './frame-reader.js';
import type { LogDamage } from './log-damage.js';
import { decodeEntryAt, isErasedPayloadAt } from './record-codec.js';
import { listSegments, segmentPath } from './segment-files.js';
import { scanSegment } from './segment-scan.js';

export interface LogReaderOptions {
  /** Told about each damaged range a read skips (with its raw bytes). Default: nothing. */
  onDamage?: (damage: LogDamage, raw: Buffer) => void | Promise<void>;
}

/** Positions a log holds: `[first, next)`. */
export interface LogRange {
  first: number;
  next: number;
}

export interface LogReader {
  /** The positions held now; `next` counts whole records only (a tail being written is left out). */
  range(): Promise<LogRange>;
  /**
   * Entries at positions `[from, to)` in order, in batches of at most `batchSize`. Rejects when
   * `from` is no longer held (deleted by retention). Damaged ranges are skipped (and told to
   * `onDamage`): their records are missing from what is yielded.
   */
  read(from: number, to: number, batchSize?: number): AsyncIterable<QueueEntry[]>;
}

/** Opens the log in `dir` (the `dir` given to `openLogQueue`) for reading only. */
export function openLogReader(dir: string, options: LogReaderOptions = {}): LogReader {
  const segmentsDir = join(dir, 'segments');
  return {
    async range() {
      const firsts = await listSegments(segmentsDir);
      const last = firsts[firsts.length - 1];
      if (last === undefined) return { first: 0, next: 0 };
      return { first: firsts[0] as number, next: await endOfSegment(segmentsDir, last) };
    },
    read(from, to, batchSize = 1_000) {
      return readEntries(segmentsDir, from, to, batchSize, options);
    },
  };
}

async function endOfSegment(segmentsDir: string, first: number): Promise<number> {
  const path = segmentPath(segmentsDir, first);
  const file = await open(path, 'r');
  try {
    return (await scanSegment(file, path, first, undefined)).end;
  } finally {
    await file.close();
  }
}

async function* readEntries(
  segmentsDir: string,
  from: number,
  to: number,
  batchSize: number,
  options: LogReaderOptions,
): AsyncGenerator<QueueEntry[]> {
  if (!Number.isSafeInteger(from) || from < 0 || !(to >= from)) {
    throw new RangeError(`invalid range [${from}, ${to})`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  if (from === to) return;
  const firsts = await listSegments(segmentsDir);
  if (firsts.length === 0 || from < (firsts[0] as number)) {
    throw new RangeError(
      `position ${from} is no longer in the log (it starts at ${firsts[0] ?? 'nothing'})`,
    );
  }
  let index = 0;
  while (index + 1 < firsts.length && (firsts[index + 1] as number) <= from) index++;
  let position = from;
  for (; index < firsts.length && position < to; index++) {
    const first = firsts[index] as number;
    const end = Math.min(to, firsts[index + 1] ?? Number.POSITIVE_INFINITY);
    const file = await openSegment(segmentsDir, first, position);
    const segment = {
      file,
      path: segmentPath(segmentsDir, first),
      first,
      sealed: index + 1 < firsts.length,
    };
    try {
      yield* readSegment(segment, position, end, batchSize, options);
    } finally {
      await file.close();
    }
    position = end;
  }
}

async function openSegment(segmentsDir: string, first: number, at: number): Promise<FileHandle> {
  try {
    return await open(segmentPath(segmentsDir, first), 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new RangeError(`position ${at} is no longer in the log (its segment was deleted)`, {
      cause: error,
    });
  }
}

/** Yields the entries `[from, end)` of the segment whose first record is at `first`. */
async function* readSegment(
  segment: { file: FileHandle; path: string; first: number; sealed: boolean },
  from: number,
  end: number,
  batchSize: number,
  options: LogReaderOptions,
): AsyncGenerator<QueueEntry[]> {
  const { file, path, first } = segment;
  // The size at open: records appended later are past `end` anyway (it was taken before).
  const { size } = await file.stat();
  let offset = 0;
  let position = first;
  while (position < end) {
    const batch = await readFrames(file, offset, size, Math.min(batchSize, end - position));
    offset = batch.end;
    const entries: QueueEntry[] = [];
    const { chunk, payloadStarts, payloadEnds } = batch;
    for (let i = 0; i < batch.positions.length; i++) {
      const named = batch.positions[i] as number;
      const at = Number.isNaN(named) ? position : named;
      if (at < position || at >= end) continue;
      position = at + 1;
      const start = payloadStarts[i] as number;
      if (at >= from && !isErasedPayloadAt(chunk, start)) {
        entries.push(decodeEntryAt(chunk, start, payloadEnds[i] as number, at));
      }
    }
    if (entries.length > 0) yield entries;
    if (batch.positions.length > 0) continue;
    if (batch.status === 'end' && !segment.sealed) {
      throw new RangeError(`the log ends at position ${position}, before ${end}`);
    }
    // Bad bytes (or a sealed segment that ends short): skip to the next valid frame.
    const skipped = await skipDamage(file, path, offset, size, position, end);
    if (!segment.sealed && skipped.resume === size) {
      // The end of the last segment: a tail being written (or torn by a crash), not damage.
      throw new RangeError(`no readable record at position ${position} (the log ends there)`);
    }
    if (skipped.resumePosition > from) await options.onDamage?.(skipped.damage, skipped.raw);
    offset = skipped.resume;
    position = skipped.resumePosition;
  }
}
