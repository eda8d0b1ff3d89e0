// What a reader does where a frame fails its check: find the next valid frame, learn its
// position, and describe the range between for the report. Shared by consumers and replays.

import type { FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { findNextFrame, readFrames } from './frame-reader.js';
import type { LogDamage } from './log-damage.js';

export interface SkippedDamage {
  damage: LogDamage;
  /** The damaged bytes as found. */
  raw: Buffer;
  /** File offset where reading resumes (`limit` when nothing valid follows). */
  resume: number;
  /** Position of the record at `resume` (or the segment's end position): reading resumes there. */
  resumePosition: number;
}

/**
 * The damage starting at byte `start` of a segment, read up to `limit`. `next` is the position
 * the bad frame would have had; `segmentEnd` the position after the segment's last record,
 * used when no valid frame follows. A v1 frame after the damage names no position: it is taken
 * to be `next` (old logs cannot say how many records the damage took).
 */
export async function skipDamage(
  file: FileHandle,
  path: string,
  start: number,
  limit: number,
  next: number,
  segmentEnd: number,
): Promise<SkippedDamage> {
  const resume = (await findNextFrame(file, start, limit)) ?? limit;
  let resumePosition = segmentEnd;
  if (resume < limit) {
    const frame = await readFrames(file, resume, limit, 1);
    resumePosition = Number.isNaN(frame.positions[0]) ? next : (frame.positions[0] as number);
  }
  const raw = Buffer.alloc(resume - start);
  if (raw.length > 0) await file.read(raw, 0, raw.length, start);
  const damage: LogDamage = {
    segment: basename(path),
    start,
    end: resume,
    ...(next > 0 ? { lastPositionBefore: next - 1 } : {}),
    firstPositionAfter: resumePosition,
    kind: 'damaged',
  };
  return { damage, raw, resume, resumePosition: Math.max(resumePosition, next) };
}
