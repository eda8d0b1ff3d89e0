// Crash recovery of the last segment: a crash during a write can leave a torn or
// garbled tail. Only records from a group whose append never resolved can be
// there, so cutting the file at the first bad frame loses nothing acknowledged.

import { open } from 'node:fs/promises';
import { readFrames } from './frame-reader.js';

export interface RecoveredSegment {
  /** Whole, valid records in the segment. */
  records: number;
  /** Bytes they take: the segment's size after recovery. */
  bytes: number;
  /** Bytes cut off the end (0 when the segment was clean). */
  truncatedBytes: number;
}

/** Validates every frame of a segment file and truncates anything after the last good one. */
export async function recoverSegment(path: string, sync: boolean): Promise<RecoveredSegment> {
  const file = await open(path, 'r+');
  try {
    const { size } = await file.stat();
    let offset = 0;
    let records = 0;
    for (;;) {
      const batch = await readFrames(file, offset, size, Number.POSITIVE_INFINITY);
      records += batch.payloads.length;
      offset = batch.end;
      if (batch.status === 'end' || batch.status === 'torn' || batch.status === 'corrupt') break;
    }
    if (offset < size) {
      await file.truncate(offset);
      if (sync) await file.sync();
    }
    return { records, bytes: offset, truncatedBytes: size - offset };
  } finally {
    await file.close();
  }
}
