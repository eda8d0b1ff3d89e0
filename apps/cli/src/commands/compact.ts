// `sluice compact`: merges the small files of closed partitions into big ones.
import {
  compactClosedPartitions,
  compactPartition,
  listPartitionFolders,
  nodeFileCodecs,
} from '@sluice/forwarder';
import { DATA_ROOTS } from '@sluice/layout';
import { type Command, Option } from 'commander';
import {
  type AcknowledgedBelow,
  logPartitionsWithout,
  parseAcknowledgedBelow,
} from '../lib/acknowledged-below.js';
import { collect, positiveNumber, tableOption, withOptions } from '../lib/options.js';
import { count, withProgressBar } from '../lib/progress.js';
import { addStoreOptions, openStore, openTable, type StoreOptions } from '../lib/store-options.js';

interface CompactOptions extends StoreOptions {
  graceHours?: number;
  targetMib?: number;
  acknowledgedBelow?: string[];
  prefix?: string[];
  partition?: string;
  table?: string;
}

const MiB = 1024 * 1024;

export function addCompactCommand(program: Command): void {
  const command = withOptions(
    program
      .command('compact')
      .description('merge the small files of closed partitions into files of up to 256 MiB'),
    new Option(
      '--grace-hours <h>',
      'compact partitions whose hour ended this long ago (default 2)',
    ).argParser(positiveNumber),
    new Option('--target-mib <n>', 'NDJSON per output file, 1-1024 (default 256)').argParser(
      positiveNumber,
    ),
    new Option(
      '--acknowledged-below <position>',
      "the forwarder acknowledged every queue position below this (lets compaction take each partition's newest file); with --workers, also w<i>=<position> for each log partition i (repeatable)",
    ).argParser(collect),
    new Option(
      '--prefix <prefix>',
      'where to look (repeatable; default events/ and quarantine/)',
    ).argParser(collect),
    new Option('--partition <folder>', 'compact this partition only, closed or not'),
    tableOption(),
  );
  addStoreOptions(command)
    .addHelpText(
      'after',
      `
Safe to stop and run again at any point. Run one maintenance job (compact or erase) at a time
per store. Exit code 1 when a partition failed (running again resumes it).`,
    )
    .action(async (options: CompactOptions) => {
      const opened = openStore(options);
      const { store } = opened;
      let acknowledged: AcknowledgedBelow = {};
      try {
        acknowledged = parseAcknowledgedBelow(options.acknowledgedBelow ?? []);
      } catch (error) {
        command.error(`error: ${(error as Error).message}`);
      }
      if (options.acknowledgedBelow) {
        const missing = await logPartitionsWithout(store, acknowledged);
        if (missing.length > 0) {
          command.error(
            `error: the store has checkpoints of log partitions ${missing.map((i) => `w${i}`).join(', ')} (sluice --workers): each counts its own positions, so give --acknowledged-below w<i>=<position> for each too`,
          );
        }
      }
      const settings = {
        graceMs:
          options.graceHours === undefined ? undefined : Math.round(options.graceHours * 3_600_000),
        targetFileBytes:
          options.targetMib === undefined ? undefined : Math.round(options.targetMib * MiB),
        ...acknowledged,
        prefixes: options.prefix,
      };
      const deps = { store, codecs: nodeFileCodecs, table: openTable(options.table, opened) };
      if (options.partition !== undefined) {
        const folder = options.partition.endsWith('/')
          ? options.partition
          : `${options.partition}/`;
        process.stdout.write(`${JSON.stringify(await compactPartition(deps, folder, settings))}\n`);
        return;
      }
      let total = 0;
      for (const prefix of options.prefix ?? DATA_ROOTS) {
        total += (await listPartitionFolders(store, prefix)).length;
      }
      let done = 0;
      let merged = 0;
      const report = await withProgressBar('compact', 'partitions', total, async (bar) => {
        const compacted = await compactClosedPartitions(deps, {
          ...settings,
          onProgress: (step) => {
            if (step.type !== 'done') return;
            done++;
            merged += step.result.inputs.length;
            bar.update(done, `${count(merged)} files merged, last ${step.result.partition}`);
          },
        });
        bar.update(
          total,
          `${count(merged)} files merged, ${count(compacted.open)} partitions still open`,
        );
        return compacted;
      });
      process.stdout.write(
        `${JSON.stringify({
          compacted: report.partitions.filter((p) => p.outputs.length > 0).length,
          unchanged: report.partitions.filter((p) => p.outputs.length === 0).length,
          open: report.open,
          failed: report.failed.map(({ partition, error }) => ({
            partition,
            error: String(error),
          })),
        })}\n`,
      );
      if (report.failed.length > 0) process.exitCode = 1;
    });
}
