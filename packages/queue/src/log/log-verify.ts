// `sluice log verify`: fsck for the embedded log. Reads every segment and consumer file
// (nothing is written) and says what is damaged and where.

import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DamagedConsumerFileError, readCommitted } from './consumer-offsets.js';
import type { LogDamage } from './log-damage.js';
import { listSegments, segmentPath } from './segment-files.js';
import { scanSegment } from './segment-scan.js';

export type LogFinding =
  /** A damaged range of a segment (see LogDamage). */
  | { kind: 'segment'; damage: LogDamage }
  /** The unacknowledged end of the active segment after a crash: cut off on the next open. */
  | { kind: 'torn-tail'; segment: string; start: number; end: number }
  | { kind: 'consumer'; name: string; path: string; message: string };

export interface LogVerification {
  segments: number;
  records: number;
  consumers: number;
  /** Damage, in order: segments first, then consumer files. */
  damage: LogFinding[];
  /** What a crash leaves (not damage). */
  notes: LogFinding[];
}

/** Verifies the log in `dir` (the `dir` of `openLogQueue`). */
export async function verifyLog(dir: string): Promise<LogVerification> {
  const segmentsDir = join(dir, 'segments');
  const firsts = await listSegments(segmentsDir).catch(() => [] as number[]);
  const result: LogVerification = { segments: 0, records: 0, consumers: 0, damage: [], notes: [] };
  for (let i = 0; i < firsts.length; i++) {
    const first = firsts[i] as number;
    const path = segmentPath(segmentsDir, first);
    const file = await open(path, 'r');
    try {
      const scan = await scanSegment(file, path, first, firsts[i + 1]);
      result.segments++;
      result.records += scan.records;
      for (const damage of scan.damages) result.damage.push({ kind: 'segment', damage });
      const tail = scan.tornTail;
      if (tail && tail.end > tail.start) {
        result.notes.push({ kind: 'torn-tail', segment: path, ...tail });
      }
    } finally {
      await file.close();
    }
  }
  const consumersDir = join(dir, 'consumers');
  for (const name of await readdir(consumersDir).catch(() => [] as string[])) {
    if (!name.endsWith('.json')) continue;
    result.consumers++;
    try {
      await readCommitted(consumersDir, name.slice(0, -'.json'.length));
    } catch (error) {
      if (!(error instanceof DamagedConsumerFileError)) throw error;
      const consumer = name.slice(0, -'.json'.length);
      result.damage.push({
        kind: 'consumer',
        name: consumer,
        path: error.path,
        message: error.message,
      });
    }
  }
  return result;
}
