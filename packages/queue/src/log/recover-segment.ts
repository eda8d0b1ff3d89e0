// Crash recovery of the last segment: a crash during a write can leave a torn or garbled
// tail. Only records from a group whose append never resolved can be there, so cutting the
// bytes after the last valid frame loses nothing acknowledged; they are kept in a quarantine
// record all the same, and said. Bad bytes followed by valid frames are damage, not a tail:
// nothing is cut, readers skip them (segment-scan.ts).

import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { DamageReporter, LogDamage } from './log-damage.js';
import { scanSegment } from './segment-scan.js';

export interface RecoveredSegment {
  /** Whole, valid records in the segment. */
  records: number;
  /** Position after the last whole record. */
  end: number;
  /** Bytes they take: the segment's size after recovery. */
  bytes: number;
  /** Bytes cut off the end (0 when the segment was clean). */
  truncatedBytes: number;
  /** Damaged ranges found (left in place: readers skip and report them). */
  damages: LogDamage[];
}

/** Validates every frame of the active segment and cuts a torn tail off (after keeping it). */
export async function recoverSegment(
  path: string,
  first: number,
  sync: boolean,
  reporter?: DamageReporter,
): Promise<RecoveredSegment> {
  const file = await open(path, 'r+');
  try {
    const { size } = await file.stat();
    const scan = await scanSegment(file, path, first, undefined);
    const tail = scan.tornTail;
    if (tail && tail.end > tail.start) {
      const raw = Buffer.alloc(tail.end - tail.start);
      await file.read(raw, 0, raw.length, tail.start);
      // A tail of zeros is a file extended by a crash with nothing written: not worth a record.
      if (reporter && raw.some((byte) => byte !== 0)) {
        await reporter.report(
          {
            segment: basename(path),
            ...tail,
            ...(scan.end > 0 ? { lastPositionBefore: scan.end - 1 } : {}),
            kind: 'torn-tail',
          },
          raw,
        );
      }
      await file.truncate(tail.start);
      if (sync) await file.sync();
    }
    return {
      records: scan.records,
      end: scan.end,
      bytes: tail?.start ?? size,
      truncatedBytes: tail ? tail.end - tail.start : 0,
      damages: scan.damages,
    };
  } finally {
    await file.close();
  }
}
