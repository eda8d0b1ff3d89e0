// `tsx apps/forwarder/src/compaction/cli.ts --dir ./data` compacts every closed partition.
// Progress goes to stderr, one line a step; the summary to stdout as JSON. Exit code 1 when a
// partition failed (running again resumes it), 2 on a usage error.

import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  type CliIo,
  isUsageError,
  numberArg,
  STORE_ARGS,
  STORE_USAGE,
  storeFromArgs,
  UsageError,
} from './cli-support.js';
import { compactClosedPartitions } from './compact-closed-partitions.js';
import { type CompactionProgress, compactPartition } from './compact-partition.js';
import { parseCompactionOptions } from './compaction-options.js';
import { nodeFileCodecs } from './node-codecs.js';

const USAGE = `usage: compaction/cli.ts <store> [options]
${STORE_USAGE}
options:
  --grace-hours <h>         compact partitions whose hour ended this long ago (default 2)
  --target-mib <n>          NDJSON per output file, 1-1024 (default 64)
  --acknowledged-below <p>  the forwarder's consumer acknowledged every queue position below p
                            (lets compaction take each partition's newest forwarder file)
  --prefix <p>              where to look for partitions (repeatable; default events/ quarantine/)
  --partition <folder>      compact this partition only, closed or not`;

const MiB = 1024 * 1024;

/** Runs the command; resolves with the exit code. */
export async function runCompactionCli(argv: string[], io: CliIo): Promise<number> {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        ...STORE_ARGS,
        'grace-hours': { type: 'string' },
        'target-mib': { type: 'string' },
        'acknowledged-below': { type: 'string' },
        prefix: { type: 'string', multiple: true },
        partition: { type: 'string' },
      },
    });
    const store = storeFromArgs(values);
    const graceHours = numberArg(values['grace-hours'], 'grace-hours');
    const targetMib = numberArg(values['target-mib'], 'target-mib');
    const settings = {
      graceMs: graceHours === undefined ? undefined : Math.round(graceHours * 3_600_000),
      targetFileBytes: targetMib === undefined ? undefined : Math.round(targetMib * MiB),
      acknowledgedBelow: numberArg(values['acknowledged-below'], 'acknowledged-below'),
      prefixes: values.prefix,
    };
    try {
      parseCompactionOptions(settings);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const options = {
      ...settings,
      onProgress: (progress: CompactionProgress) => io.err(describe(progress)),
    };
    const deps = { store, codecs: nodeFileCodecs, now: io.now };
    if (values.partition !== undefined) {
      const partition = values.partition.endsWith('/') ? values.partition : `${values.partition}/`;
      io.out(JSON.stringify(await compactPartition(deps, partition, options)));
      return 0;
    }
    const report = await compactClosedPartitions(deps, options);
    io.out(
      JSON.stringify({
        compacted: report.partitions.filter((p) => p.outputs.length > 0).length,
        unchanged: report.partitions.filter((p) => p.outputs.length === 0).length,
        open: report.open,
        failed: report.failed.map(({ partition, error }) => ({ partition, error: String(error) })),
      }),
    );
    return report.failed.length > 0 ? 1 : 0;
  } catch (error) {
    if (!isUsageError(error)) throw error;
    io.err(`${error.message}\n${USAGE}`);
    return 2;
  }
}

function describe(progress: CompactionProgress): string {
  switch (progress.type) {
    case 'recovered':
      return `${progress.partition}: deleted ${progress.deleted.length} leftovers of an interrupted run`;
    case 'output':
      return `${progress.key}: ${progress.lines} lines from ${progress.inputs.length} files`;
    case 'switched':
      return `${progress.partition}: manifest generation ${progress.generation}`;
    case 'done':
      return `${progress.result.partition}: done, ${progress.result.inputs.length} files merged`;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await runCompactionCli(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
}
