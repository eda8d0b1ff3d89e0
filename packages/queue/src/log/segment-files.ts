// Names and listing of segment files: `segments/<20-digit first position>.log`.
// The zero padding makes lexical and numeric order agree for any safe integer.

import { type FileHandle, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

const SEGMENT_NAME = /^(\d{20})\.log$/;

/** File name of the segment whose first record has `firstPosition`. */
export function segmentFileName(firstPosition: number): string {
  return `${String(firstPosition).padStart(20, '0')}.log`;
}

/** First positions of the segments in `segmentsDir`, ascending. Other files are ignored. */
export async function listSegments(segmentsDir: string): Promise<number[]> {
  const names = await readdir(segmentsDir);
  const firsts: number[] = [];
  for (const name of names) {
    const match = SEGMENT_NAME.exec(name);
    if (match?.[1] !== undefined) firsts.push(Number(match[1]));
  }
  return firsts.sort((a, b) => a - b);
}

/** Flushes a directory's entries (a created, renamed or deleted file) to disk. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Path of a segment file. */
export function segmentPath(segmentsDir: string, firstPosition: number): string {
  return join(segmentsDir, segmentFileName(firstPosition));
}

/** Writes all buffers at `position` with one writev; returns the bytes written. */
export async function writeFully(
  file: FileHandle,
  buffers: Buffer[],
  position: number,
): Promise<number> {
  let total = 0;
  for (const buffer of buffers) total += buffer.length;
  const { bytesWritten } = await file.writev(buffers, position);
  // libuv already loops over short writes; this only guards against a surprise.
  let done = bytesWritten;
  if (done < total) {
    const rest = Buffer.concat(buffers).subarray(done);
    for (let at = 0; at < rest.length; ) {
      const result = await file.write(rest, at, rest.length - at, position + done);
      at += result.bytesWritten;
      done += result.bytesWritten;
    }
  }
  return total;
}
