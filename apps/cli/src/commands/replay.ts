// `sluice replay`: re-delivers a range of the durable log into its own folder of the store.
import { basename, join, resolve } from 'node:path';
import { FILE_FORMATS, gzipLevel6, replayQueue } from '@sluice/forwarder';
import type { FileFormatName } from '@sluice/layout';
import { describeDamage, openLogReader } from '@sluice/queue';
import { type Command, Option } from 'commander';
import { findLogPartitions, isLogPartitionDir } from '../lib/log-partitions.js';
import {
  bulkWriteOptions,
  collect,
  configOption,
  formatOption,
  isoTime,
  wholeNumber,
  withOptions,
} from '../lib/options.js';
import { count, megabytes, withProgressBar } from '../lib/progress.js';
import { addStoreOptions, openStore, type StoreOptions } from '../lib/store-options.js';
import { runQuarantineReplay } from './replay-quarantine.js';

interface ReplayOptions extends StoreOptions {
  queueDir: string;
  from?: number;
  to?: number;
  since?: number;
  until?: number;
  prefix?: string;
  maxFileMb?: number;
  concurrency?: number;
  format?: FileFormatName;
  quarantine?: boolean;
  source?: string[];
  config?: string;
}

export function addReplayCommand(program: Command): void {
  const command = withOptions(
    program
      .command('replay')
      .description(
        'write queue positions [from, to) again, into replay/<from>-<to>/events/...; repeatable',
      ),
    new Option(
      '--queue-dir <dir>',
      'the durable log (read only; the collector may keep running)',
    ).default('data/queue'),
    new Option('--from <position>', 'first position (default: the oldest the log holds)').argParser(
      wholeNumber,
    ),
    new Option(
      '--to <position>',
      'end, exclusive (default: the end of the log at start)',
    ).argParser(wholeNumber),
    new Option('--since <iso>', 'keep only events whose event time is at or after this').argParser(
      isoTime,
    ),
    new Option('--until <iso>', 'keep only events whose event time is before this').argParser(
      isoTime,
    ),
    new Option(
      '--prefix <prefix>',
      'write below this instead of replay/<from>-<to>/ (never the live keys)',
    ),
    formatOption(),
    ...bulkWriteOptions(),
    new Option(
      '--quarantine',
      "write quarantined events again, judged by the config's current plans, into events/",
    ),
    new Option('--source <id>', 'with --quarantine: only this source (repeatable)').argParser(
      collect,
    ),
    configOption(),
  );
  addStoreOptions(command)
    .addHelpText(
      'after',
      `
Files are cut by size only and named by what they hold, so running the same replay again
writes the same files. A progress bar goes to stderr; the result as JSON to stdout.

With --quarantine it reads the quarantine/ files of the sources (--source, default all) and
days (--since/--until), not the log: each record is judged again by the collector's config
(its current tracking plan), and the events that pass go into their own event-time hours under
events/ (or --prefix). Repeats and events already stored are written once; a re-run writes the
same files. Still-invalid records stay in quarantine and are listed in the result.`,
    )
    .action(async (options: ReplayOptions) => {
      if (options.quarantine) {
        if (options.from !== undefined || options.to !== undefined) {
          throw new Error('--from and --to are queue positions: not with --quarantine');
        }
        return runQuarantineReplay({
          ...options,
          maxFileBytes: mebibytes(options.maxFileMb),
        });
      }
      if (options.source) throw new Error('--source goes with --quarantine');
      const queueDir = resolve(options.queueDir);
      // A log that `--workers N` wrote has a partition each, counting positions of its own.
      const partitions = (await findLogPartitions(queueDir)).filter((index) => index > 0);
      if (partitions.length > 0) {
        process.stderr.write(
          `${queueDir} has log partitions ${partitions.map((i) => `w${i}`).join(', ')} (sluice --workers): this replays partition 0 only; replay each with --queue-dir ${join(queueDir, 'w<i>')} --prefix replay/w<i>-<from>-<to>/\n`,
        );
      }
      if (isLogPartitionDir(queueDir) && options.prefix === undefined) {
        // Its positions are not partition 0's: the default folder would overwrite that replay.
        command.error(
          `error: ${queueDir} is a log partition of sluice --workers: give --prefix (e.g. replay/${basename(queueDir)}-<from>-<to>/), since replay/<from>-<to>/ is partition 0's`,
        );
      }
      const { store, where } = openStore(options);
      const result = await withProgressBar('replay', 'positions', undefined, async (bar) => {
        const replayed = await replayQueue(
          {
            // A damaged range is skipped; said on stderr like the forwarder says it.
            source: openLogReader(queueDir, {
              onDamage: (damage) =>
                void process.stderr.write(
                  `\n${describeDamage(damage, '(not kept: replay writes nothing to the log)')}\n`,
                ),
            }),
            store,
            compress: gzipLevel6,
            ...(options.format ? { format: FILE_FORMATS[options.format] } : {}),
            onProgress: (p) =>
              bar.update(
                p.read,
                `${megabytes(p.bytesRead)} read, ${count(p.files)} files -> ${p.prefix}`,
                p.to - p.from,
              ),
            onError: (error, during) =>
              process.stderr.write(`\n${during} failed, retrying: ${(error as Error).message}\n`),
          },
          {
            from: options.from,
            to: options.to,
            since: options.since,
            until: options.until,
            prefix: options.prefix,
            maxFileBytes: mebibytes(options.maxFileMb),
            uploadConcurrency: options.concurrency,
          },
        );
        bar.stop(
          `${count(replayed.lines)} events in ${count(replayed.files)} files -> ${replayed.prefix}`,
        );
        return replayed;
      });
      process.stdout.write(`${JSON.stringify({ store: where, ...result })}\n`);
    });
}

export function mebibytes(mib: number | undefined): number | undefined {
  return mib === undefined ? undefined : Math.round(mib * 1024 * 1024);
}
