// Damage in the log (bad bytes a crash cannot explain: bit rot, a torn sector, a hand edit) is
// skipped, never wedges a reader, and never goes unsaid: each damaged range gets one quarantine
// record, `<dir>/damaged/<segment>@<start>-<end>.json`, with its place, the positions it took
// and its raw bytes (base64, so a person can try to recover them), a counter, and a log line.

import { mkdir, open } from 'node:fs/promises';
import { basename, join } from 'node:path';

/** One damaged byte range of a segment. */
export interface LogDamage {
  /** Segment file name, e.g. `00000000000000000520.log`. */
  segment: string;
  /** Byte range `[start, end)` of the segment that holds no valid frame. */
  start: number;
  end: number;
  /** Position of the last whole record before the range (undefined: none in the segment). */
  lastPositionBefore?: number;
  /** Position of the first whole record after it (undefined: none; the segment ends). */
  firstPositionAfter?: number;
  /** What a crash cannot leave ('damaged') or the unacknowledged end of the active segment. */
  kind: 'damaged' | 'torn-tail';
}

/** The quarantine record of a damaged range, as stored. */
export interface LogDamageRecord extends LogDamage {
  version: 1;
  /** Positions lost, `[from, to)`, when both neighbours are known. */
  lostPositions?: { from: number; to: number };
  detectedAt: string;
  /** The damaged bytes as they were found. */
  rawBase64: string;
}

export interface DamageReporter {
  /** Records a damaged range once per process: quarantine file, counter, log line. */
  report(damage: LogDamage, raw: Buffer): Promise<void>;
  /** Damaged bytes met by this process (the `sluice_log_corrupt_bytes_total` counter). */
  corruptBytes(): number;
  /** Damaged ranges met by this process (torn tails not counted). */
  damagedRanges(): number;
}

export interface DamageReporterOptions {
  /** The log's directory: records go to `<dir>/damaged/`. */
  dir: string;
  fileMode: number;
  dirMode: number;
  /** Where the error line goes. Default `console.error`. */
  log?: (line: string) => void;
  now?: () => number;
}

/** Directory of the quarantine records of a log in `dir`. */
export function damagedDir(dir: string): string {
  return join(dir, 'damaged');
}

/** File name of a range's quarantine record. */
export function damageRecordName(damage: Pick<LogDamage, 'segment' | 'start' | 'end'>): string {
  return `${basename(damage.segment)}@${damage.start}-${damage.end}.json`;
}

/** Builds the stored record of a damaged range. */
export function damageRecord(damage: LogDamage, raw: Buffer, now: number): LogDamageRecord {
  const { lastPositionBefore: before, firstPositionAfter: after } = damage;
  const from = before === undefined ? undefined : before + 1;
  return {
    version: 1,
    ...damage,
    ...(from !== undefined && after !== undefined ? { lostPositions: { from, to: after } } : {}),
    detectedAt: new Date(now).toISOString(),
    rawBase64: raw.toString('base64'),
  };
}

/** The error line that says what was lost and what to do. */
export function describeDamage(damage: LogDamage, recordPath: string): string {
  const { lastPositionBefore: before, firstPositionAfter: after } = damage;
  const lost =
    before !== undefined && after !== undefined
      ? `${after - before - 1} record(s) lost (positions ${before + 1} to ${after - 1})`
      : `the records in it are lost (last good position before: ${before ?? 'none'}, first after: ${after ?? 'none'})`;
  if (damage.kind === 'torn-tail') {
    return (
      `sluice log: ${damage.segment} bytes ${damage.start}-${damage.end}: a torn tail left by a ` +
      `crash (a write never acknowledged), cut off; its bytes are kept in ${recordPath}.`
    );
  }
  const what = 'damaged';
  return (
    `sluice log: ${damage.segment} bytes ${damage.start}-${damage.end} ${what}: ${lost}; ` +
    `skipped, raw bytes kept in ${recordPath}. Check the disk, then run \`sluice log verify\` ` +
    '(`--repair` makes the segment clean).'
  );
}

/** Writes quarantine records and counts damage; see the module comment. */
export function createDamageReporter(options: DamageReporterOptions): DamageReporter {
  const seen = new Set<string>();
  let bytes = 0;
  let ranges = 0;
  const log = options.log ?? ((line: string) => console.error(line));
  const now = options.now ?? Date.now;
  return {
    async report(damage, raw) {
      const name = damageRecordName(damage);
      if (seen.has(name)) return;
      seen.add(name);
      // A torn tail is what a crash leaves, not damage: it is kept, but not counted.
      if (damage.kind === 'damaged') {
        bytes += damage.end - damage.start;
        ranges++;
      }
      const path = join(damagedDir(options.dir), name);
      await writeRecordOnce(path, damageRecord(damage, raw, now()), options);
      log(describeDamage(damage, path));
    },
    corruptBytes: () => bytes,
    damagedRanges: () => ranges,
  };
}

async function writeRecordOnce(
  path: string,
  record: LogDamageRecord,
  modes: { fileMode: number; dirMode: number },
): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true, mode: modes.dirMode });
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(path, 'wx', modes.fileMode);
  } catch (error) {
    // Reported before (an earlier run or another reader): the first record keeps the bytes.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw error;
  }
  try {
    await file.writeFile(`${JSON.stringify(record, null, 2)}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
}
