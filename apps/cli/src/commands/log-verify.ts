// `sluice log verify [--repair]`: fsck for the embedded log and its state. Prints what is
// damaged and where; exit code 1 when anything is. `--repair` applies the safe recoveries:
// a damaged consumer file is rebuilt from the forwarder's checkpoint in the store (every
// position below its `resumeFrom` is stored, so resuming there is exactly-once), and each
// damaged segment range gets its quarantine record (raw bytes kept), then the segment is
// rewritten with the range replaced by erased records, so later verifies are clean.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { checkpointResumeFrom, parseCheckpoint } from '@sluice/forwarder';
import { checkpointKeyOf } from '@sluice/layout';
import {
  damagedDir,
  damageRecord,
  damageRecordName,
  type LogFinding,
  listSegments,
  repairSegment,
  segmentPath,
  verifyLog,
  writeCommitted,
} from '@sluice/queue';
import type { ObjectStore } from '@sluice/store';
import { type Command, Option } from 'commander';
import { damagedDedupIndexes, moveDedupIndexAside } from '../lib/dedup-index-check.js';
import { fileModes } from '../lib/file-modes.js';
import { withLogPartitionLocks } from '../lib/log-lock.js';
import { findLogPartitions, logPartitionDir } from '../lib/log-partitions.js';
import { addStoreOptions, openStore, type StoreOptions } from '../lib/store-options.js';

interface VerifyOptions extends StoreOptions {
  dataDir: string;
  repair?: boolean;
}

export function addLogCommand(program: Command): void {
  const log = program.command('log').description('the embedded durable log');
  const verify = log
    .command('verify')
    .description('check every segment and state file of the log; exit code 1 if any is damaged')
    .addOption(
      new Option('--data-dir <dir>', 'the data directory of `sluice start` (log in <dir>/queue)')
        .env('SLUICE_DATA_DIR')
        .default('data'),
    )
    .addOption(new Option('--repair', 'apply the safe recoveries (see below)'));
  addStoreOptions(verify, '<data-dir>/store')
    .addHelpText(
      'after',
      `
--repair moves a damaged dedup index aside (the forwarder starts an empty one), rebuilds a damaged consumer file from the forwarder's checkpoint in the store, keeps
the raw bytes of each damaged range in <data-dir>/queue/damaged/ and rewrites the segment with
the range replaced by erased records (positions kept). Every partition a run with --workers
left (<data-dir>/queue/w<i>) is checked and repaired the same way. Stop sluice first: --repair refuses to
run while a sluice holds the log (naming it).`,
    )
    .action(async (options: VerifyOptions) => {
      const queueDir = resolve(options.dataDir, 'queue');
      // Every partition `--workers N` left (log-partitions.ts), each checked on its own.
      const partitions = await findLogPartitions(queueDir);
      // Repairs rewrite the log: not beside the sluice that owns it. A plain verify only reads.
      if (options.repair) {
        await withLogPartitionLocks(queueDir, partitions, 'sluice log verify --repair', () =>
          checkLog(options, partitions),
        );
      } else await checkLog(options, partitions);
    });
}

/** Verifies the log and its state, and with --repair applies the safe recoveries. */
async function checkLog(options: VerifyOptions, partitions: readonly number[]): Promise<void> {
  const dataDir = resolve(options.dataDir);
  const { store } = openStore(options, resolve(dataDir, 'store'));
  const out = (line: string) => process.stdout.write(`${line}\n`);
  let damaged = 0;
  for (const index of await damagedDedupIndexes(dataDir)) {
    damaged++;
    out(`DAMAGED: ${index.message}`);
    if (!options.repair) continue;
    const aside = await moveDedupIndexAside(index.dir, Date.now());
    out(`  repaired: moved to ${aside}; the forwarder starts an empty index`);
  }
  // No log yet: partition 0 is still checked, as before workers (it reports what is missing).
  for (const index of partitions.length === 0 ? [0] : partitions) {
    const queueDir = logPartitionDir(resolve(dataDir, 'queue'), index);
    damaged += await checkPartition(queueDir, store, options, out);
  }
  if (damaged === 0) out('no damage found');
  else if (!options.repair) out('run again with --repair to apply the safe recoveries');
  process.exitCode = damaged === 0 || options.repair ? 0 : 1;
}

/** Checks one log partition and its consumers' checkpoints; the damage found. */
async function checkPartition(
  queueDir: string,
  store: ObjectStore,
  options: VerifyOptions,
  out: (line: string) => void,
): Promise<number> {
  const modes = fileModes(options.sharedRead);
  const result = await verifyLog(queueDir);
  let damaged = result.damage.length;
  out(
    `${queueDir}: ${result.segments} segments, ${result.records} records, ${result.consumers} consumer files`,
  );
  for (const note of result.notes) out(`note: ${describe(note)}`);
  for (const message of await damagedCheckpoints(queueDir, store)) {
    damaged++;
    out(`DAMAGED: ${message}`);
    if (options.repair) out('  not repaired: the store is the truth; do as the line says');
  }
  for (const finding of result.damage) {
    out(`DAMAGED: ${describe(finding)}`);
    if (!options.repair) continue;
    out(`  repaired: ${await repair(finding, queueDir, store, modes)}`);
  }
  if (options.repair) {
    for (const line of await cleanSegments(result.damage, queueDir)) out(`  repaired: ${line}`);
  }
  return damaged;
}

function describe(finding: LogFinding): string {
  if (finding.kind === 'consumer') return finding.message;
  if (finding.kind === 'torn-tail') {
    return `${finding.segment} bytes ${finding.start}-${finding.end}: torn tail of a crash (unacknowledged; cut off on the next start)`;
  }
  const d = finding.damage;
  const lost =
    d.lastPositionBefore !== undefined && d.firstPositionAfter !== undefined
      ? `positions ${d.lastPositionBefore + 1}-${d.firstPositionAfter - 1} lost`
      : `positions after ${d.lastPositionBefore ?? 'the start'} up to ${d.firstPositionAfter ?? 'the end'} lost`;
  return `${d.segment} bytes ${d.start}-${d.end}: ${lost}`;
}

async function repair(
  finding: LogFinding,
  queueDir: string,
  store: ObjectStore,
  modes: { fileMode: number; dirMode: number },
): Promise<string> {
  if (finding.kind === 'consumer') {
    const key = checkpointKeyOf(finding.name);
    const resumeFrom = checkpointResumeFrom(key, await store.get(key));
    if (resumeFrom !== undefined) {
      await writeCommitted(
        resolve(queueDir, 'consumers'),
        finding.name,
        resumeFrom,
        true,
        modes.fileMode,
      );
      return `${basename(finding.path)} rebuilt from ${key}: resumes at ${resumeFrom}`;
    }
    // No checkpoint to go by: from the oldest record; watermarks and the dedup index drop repeats.
    const first = (await listSegments(resolve(queueDir, 'segments')))[0] ?? 0;
    await writeCommitted(resolve(queueDir, 'consumers'), finding.name, first, true, modes.fileMode);
    return `${basename(finding.path)} reset to the oldest position ${first} (no checkpoint with resumeFrom in the store; repeats within the dedup window are dropped)`;
  }
  if (finding.kind === 'torn-tail') return 'nothing to do';
  const { damage } = finding;
  const path = resolve(damagedDir(queueDir), damageRecordName(damage));
  const existing = await readFile(path).catch(() => undefined);
  if (existing) return `raw bytes already kept in ${path}`;
  const raw = await readRange(
    resolve(queueDir, 'segments', damage.segment),
    damage.start,
    damage.end,
  );
  await mkdir(damagedDir(queueDir), { recursive: true, mode: modes.dirMode });
  await writeFile(path, `${JSON.stringify(damageRecord(damage, raw, Date.now()), null, 2)}\n`, {
    mode: modes.fileMode,
  });
  return `raw bytes kept in ${path}`;
}

/**
 * Rewrites each damaged segment with its damaged ranges replaced by erased records (positions
 * kept), once every range's raw bytes are in its quarantine record: later verifies are clean.
 */
async function cleanSegments(damage: LogFinding[], queueDir: string): Promise<string[]> {
  const segmentsDir = resolve(queueDir, 'segments');
  const damaged = new Set(damage.flatMap((f) => (f.kind === 'segment' ? [f.damage.segment] : [])));
  const firsts = await listSegments(segmentsDir);
  const lines: string[] = [];
  for (let i = 0; i < firsts.length; i++) {
    const path = segmentPath(segmentsDir, firsts[i] as number);
    if (!damaged.has(basename(path))) continue;
    const repaired = await repairSegment(path, firsts[i] as number, firsts[i + 1]);
    if (repaired) {
      lines.push(
        `${repaired.segment} rewritten: ${repaired.ranges.length} damaged range(s) replaced by ${repaired.erasedFrames} erased record(s), positions kept`,
      );
    }
  }
  return lines;
}

/** Checkpoints in the store of the consumers in the log that cannot be read, with why. */
async function damagedCheckpoints(queueDir: string, store: ObjectStore): Promise<string[]> {
  const names = await readdir(resolve(queueDir, 'consumers')).catch(() => [] as string[]);
  const found: string[] = [];
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    const key = checkpointKeyOf(name.slice(0, -'.json'.length));
    try {
      parseCheckpoint(key, await store.get(key));
    } catch (error) {
      found.push((error as Error).message);
    }
  }
  return found;
}

async function readRange(path: string, start: number, end: number): Promise<Buffer> {
  return (await readFile(path)).subarray(start, end);
}
