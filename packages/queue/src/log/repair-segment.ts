// `sluice log verify --repair` on a damaged segment: the segment is rewritten with each
// damaged range replaced by one erased frame per position it took (record-codec.ts), so every
// later verify is clean, readers find no bad bytes, and no position moves (committed consumer
// positions and checkpoints stay right). The raw damaged bytes must be kept first: the caller
// writes the range's quarantine record (log-damage.ts) before this replaces the file.
// Crash-safe by replace-segment.ts. Stop every process that uses the log while this runs.

import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { LogDamage } from './log-damage.js';
import { encodeErasedFrame } from './record-codec.js';
import { replaceSegment } from './replace-segment.js';
import { writeFully } from './segment-files.js';
import { scanSegment } from './segment-scan.js';

export interface SegmentRepair {
  segment: string;
  /** The damaged ranges replaced. */
  ranges: LogDamage[];
  /** Erased frames written in their place: one per position lost. */
  erasedFrames: number;
}

/**
 * Rewrites the segment at `path` (first position `first`; `nextFirst` that of the next
 * segment, undefined for the active one) without its damaged ranges. Returns undefined when
 * it has none. A torn tail of the active segment is left as it is: opening the log cuts it.
 */
export async function repairSegment(
  path: string,
  first: number,
  nextFirst: number | undefined,
): Promise<SegmentRepair | undefined> {
  const file = await open(path, 'r');
  let bytes: Buffer;
  let damages: LogDamage[];
  try {
    damages = (await scanSegment(file, path, first, nextFirst)).damages;
    if (damages.length === 0) return undefined;
    bytes = await file.readFile();
  } finally {
    await file.close();
  }
  const parts: Buffer[] = [];
  let from = 0;
  let erasedFrames = 0;
  for (const damage of damages) {
    const lostFrom =
      damage.lastPositionBefore === undefined ? first : damage.lastPositionBefore + 1;
    const lostTo = damage.firstPositionAfter;
    if (lostTo === undefined) {
      throw new Error(
        `${path}: bytes ${damage.start}-${damage.end}: the positions lost are unknown`,
      );
    }
    parts.push(bytes.subarray(from, damage.start));
    for (let position = lostFrom; position < lostTo; position++) {
      parts.push(encodeErasedFrame(position));
      erasedFrames++;
    }
    from = damage.end;
  }
  parts.push(bytes.subarray(from));
  await replaceSegment(path, async (out) => {
    await writeFully(out, parts, 0);
  });
  return { segment: basename(path), ranges: damages, erasedFrames };
}
