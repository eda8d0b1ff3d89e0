// Reads whole frames from a segment file in chunks, so a sequential tail costs
// one read() per chunk rather than one per record.

import type { FileHandle } from 'node:fs/promises';
import { newFrameScan, parseFrame, scanFrame } from './record-codec.js';

/** Bytes read per call; a larger frame is read on its own. */
export const READ_CHUNK_BYTES = 256 * 1024;

export interface FrameBatch {
  /**
   * The chunk read: the payloads of the whole, valid frames read are its ranges
   * `[payloadStarts[i], payloadEnds[i])` (no view per frame: see `payloadOf`).
   */
  chunk: Buffer;
  payloadStarts: number[];
  payloadEnds: number[];
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

/** The payload of the `i`th frame of `batch`, as a view (for readers off the hot path). */
export function payloadOf(batch: FrameBatch, i: number): Buffer {
  return batch.chunk.subarray(batch.payloadStarts[i], batch.payloadEnds[i]);
}

/** Reads up to `maxFrames` frames from `offset`, never looking at bytes at or past `limit`. */
export async function readFrames(
  file: FileHandle,
  offset: number,
  limit: number,
  maxFrames: number,
): Promise<FrameBatch> {
  let want = Math.min(READ_CHUNK_BYTES, limit - offset);
  const scan = newFrameScan();
  while (offset < limit) {
    const chunk = Buffer.allocUnsafe(want);
    const { bytesRead } = await file.read(chunk, 0, want, offset);
    const buffer = chunk.subarray(0, bytesRead);
    const batch = {
      chunk: buffer,
      payloadStarts: [] as number[],
      payloadEnds: [] as number[],
      positions: [] as number[],
      starts: [] as number[],
    };
    let p = 0;
    let biggerRead = 0;
    while (batch.positions.length < maxFrames) {
      const kind = scanFrame(buffer, p, scan);
      if (kind === 'frame') {
        batch.payloadStarts.push(scan.payloadStart);
        batch.payloadEnds.push(scan.next);
        batch.positions.push(scan.position);
        batch.starts.push(offset + p);
        p = scan.next;
        continue;
      }
      if (kind === 'corrupt') return { ...batch, end: offset + p, status: 'corrupt' };
      const pastLimit = offset + p + scan.need > limit;
      if (pastLimit || bytesRead < want) return { ...batch, end: offset + p, status: 'torn' };
      // The first frame is larger than the chunk: read exactly that frame next.
      if (batch.positions.length === 0) biggerRead = scan.need;
      break;
    }
    if (biggerRead === 0) {
      const status = offset + p === limit ? 'end' : 'more';
      return { ...batch, end: offset + p, status };
    }
    want = biggerRead;
  }
  const none: number[] = [];
  return {
    chunk: Buffer.alloc(0),
    payloadStarts: none,
    payloadEnds: none,
    positions: none,
    starts: none,
    end: offset,
    status: 'end',
  };
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
