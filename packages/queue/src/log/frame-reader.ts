// Reads whole frames from a segment file in chunks, so a sequential tail costs
// one read() per chunk rather than one per record.

import type { FileHandle } from 'node:fs/promises';
import { parseFrame } from './record-codec.js';

/** Bytes read per call; a larger frame is read on its own. */
export const READ_CHUNK_BYTES = 256 * 1024;

export interface FrameBatch {
  /** Payloads of the whole, valid frames read (views into one chunk). */
  payloads: Buffer[];
  /** The position each payload's frame names (NaN for a v1 frame: count from the segment's start). */
  positions: number[];
  /** File offset where each payload's frame starts. */
  starts: number[];
  /** File offset just after the last frame returned. */
  end: number;
  /**
   * 'more': stopped at `maxFrames` or the chunk's end; 'end': reached `limit` exactly;
   * 'torn': the bytes from `end` to `limit` hold only part of a frame;
   * 'corrupt': the frame at `end` fails its length, CRC or structure check.
   */
  status: 'more' | 'end' | 'torn' | 'corrupt';
}

/** Reads up to `maxFrames` frames from `offset`, never looking at bytes at or past `limit`. */
export async function readFrames(
  file: FileHandle,
  offset: number,
  limit: number,
  maxFrames: number,
): Promise<FrameBatch> {
  let want = Math.min(READ_CHUNK_BYTES, limit - offset);
  while (offset < limit) {
    const chunk = Buffer.allocUnsafe(want);
    const { bytesRead } = await file.read(chunk, 0, want, offset);
    const buffer = chunk.subarray(0, bytesRead);
    const payloads: Buffer[] = [];
    const positions: number[] = [];
    const starts: number[] = [];
    let p = 0;
    let biggerRead = 0;
    while (payloads.length < maxFrames) {
      const parsed = parseFrame(buffer, p);
      if (parsed.kind === 'frame') {
        payloads.push(parsed.payload);
        positions.push(parsed.position);
        starts.push(offset + p);
        p = parsed.next;
        continue;
      }
      if (parsed.kind === 'corrupt')
        return { payloads, positions, starts, end: offset + p, status: 'corrupt' };
      const pastLimit = offset + p + parsed.need > limit;
      if (pastLimit || bytesRead < want)
        return { payloads, positions, starts, end: offset + p, status: 'torn' };
      // The first frame is larger than the chunk: read exactly that frame next.
      if (payloads.length === 0) biggerRead = parsed.need;
      break;
    }
    if (biggerRead === 0) {
      const status = offset + p === limit ? 'end' : 'more';
      return { payloads, positions, starts, end: offset + p, status };
    }
    want = biggerRead;
  }
  return { payloads: [], positions: [], starts: [], end: offset, status: 'end' };
}

/**
 * The offset of the first whole, valid frame after `from` and before `limit`, or undefined:
 * where reading resumes after bad bytes. Reads `[from, limit)` at once (at most one segment);
 * only damaged segments take this path.
 */
export async function findNextFrame(
  file: FileHandle,
  from: number,
  limit: number,
): Promise<number | undefined> {
  const buffer = Buffer.allocUnsafe(Math.max(0, limit - from));
  const { bytesRead } = await file.read(buffer, 0, buffer.length, from);
  const bytes = buffer.subarray(0, bytesRead);
  for (let p = 1; p < bytes.length; p++) {
    if (parseFrame(bytes, p).kind === 'frame') return from + p;
  }
  return undefined;
}
