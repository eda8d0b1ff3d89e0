// A whole pass over one segment that tells damage from a torn tail. A crash can only leave
// part of the last group at the end of the active segment; so bad bytes followed by a valid
// frame, or bad bytes anywhere in a sealed segment, are damage. Valid frames are never lost:
// the scan resynchronises on the next one (frame-reader.ts findNextFrame).

import type { FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { findNextFrame, readFrames } from './frame-reader.js';
import type { LogDamage } from './log-damage.js';

export interface SegmentScan {
  /** Whole, valid records. */
  records: number;
  /** Position after the last whole record (`first` when there is none). */
  end: number;
  /** Byte offset just after the last whole frame. */
  validBytes: number;
  /** Damaged ranges, in order (a sealed segment's bad end is one of them). */
  damages: LogDamage[];
  /** Bad bytes after the last whole frame of the active segment: what a crash leaves. */
  tornTail?: { start: number; end: number };
}

/**
 * Scans the segment open in `file` whose first record is at `first`. `nextFirst`: the first
 * position of the next segment; given, this one is sealed and its bad end is damage, not a
 * torn tail.
 */
export async function scanSegment(
  file: FileHandle,
  path: string,
  first: number,
  nextFirst: number | undefined,
): Promise<SegmentScan> {
  const { size } = await file.stat();
  const segment = basename(path);
  const damages: LogDamage[] = [];
  let offset = 0;
  let records = 0;
  let next = first;
  let validBytes = 0;
  let open: LogDamage | undefined;
  for (;;) {
    const batch = await readFrames(file, offset, size, Number.POSITIVE_INFINITY);
    for (const position of batch.positions) {
      // A v1 frame has no position of its own: it follows the one before.
      const at = Number.isNaN(position) ? next : position;
      if (open) {
        open.firstPositionAfter = at;
        open = undefined;
      }
      next = at + 1;
      records++;
    }
    offset = batch.end;
    if (batch.positions.length > 0) validBytes = offset;
    // A read that ends exactly at the end of the file says 'torn' for want of more bytes.
    if (batch.status === 'end' || offset === size) break;
    if (batch.status === 'more') continue;
    const resume = await findNextFrame(file, offset, size);
    if (resume === undefined && nextFirst === undefined) {
      return { records, end: next, validBytes, damages, tornTail: { start: offset, end: size } };
    }
    open = {
      segment,
      start: offset,
      end: resume ?? size,
      ...(next > 0 ? { lastPositionBefore: next - 1 } : {}),
      ...(resume === undefined ? { firstPositionAfter: nextFirst } : {}),
      kind: 'damaged',
    };
    damages.push(open);
    if (resume === undefined) break;
    offset = resume;
  }
  // A sealed segment cut at a frame boundary: nothing bad to see, but records are missing.
  if (nextFirst !== undefined && next < nextFirst && damages.length === 0) {
    damages.push({
      segment,
      start: size,
      end: size,
      ...(next > 0 ? { lastPositionBefore: next - 1 } : {}),
      firstPositionAfter: nextFirst,
      kind: 'damaged',
    });
  }
  return { records, end: next, validBytes, damages };
}
