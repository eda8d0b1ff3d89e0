// `tsx apps/forwarder/src/replay/cli.ts [options]`: replays the durable log into a store.
// It only reads the log directory, so it may run while the collector and forwarder use it.

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { openLogReader } from '@sluice/queue';
import { integer, mebibytes, time } from '../bulk/cli-flags.js';
import { BULK_FLAGS, BULK_USAGE, storeFromFlags } from '../bulk/cli-store.js';
import { formatProgress, throttle } from '../bulk/progress-line.js';
import { gzipLevel6 } from '../node.js';
import { type ReplayProgress, replayQueue } from './replay.js';

const USAGE = `usage: tsx apps/forwarder/src/replay/cli.ts [options]

Re-delivers queue positions [--from, --to) into <prefix>events/... of the target store, cutting
files by size only, so running the same request again writes the same files.

  --queue-dir DIR        the durable log (default: data/queue)
  --from N --to N        positions (default: all the log holds when the replay starts)
  --since ISO --until ISO  keep only events whose event time is in [since, until)
  --prefix P             default: replay/<from>-<to>[_<since>-<until>]/ (never the live keys)
${BULK_USAGE}

Progress goes to stderr about once a second; the result is printed to stdout as JSON.`;

/** Runs the command; resolves with the exit code. */
export async function runReplayCli(
  argv: readonly string[],
  io: { out: (text: string) => void; err: (text: string) => void; now?: () => number },
): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const now = io.now ?? Date.now;
  const started = now();
  const report = throttle<ReplayProgress>(1_000, now, (p) =>
    io.err(
      `replay ${p.from}-${p.to} -> ${p.prefix}: ${formatProgress({
        done: p.read,
        total: p.to - p.from,
        unit: 'positions',
        bytes: p.bytesRead,
        files: p.files,
        elapsedMs: now() - started,
      })}`,
    ),
  );
  try {
    const { store, where } = storeFromFlags(values);
    const result = await replayQueue(
      {
        source: openLogReader(resolve(values['queue-dir'] ?? 'data/queue')),
        store,
        compress: gzipLevel6,
        onProgress: (p) => report(p),
        onError: (error, during) =>
          io.err(`${during} failed, retrying: ${(error as Error).message}`),
      },
      {
        from: integer(values.from, '--from'),
        to: integer(values.to, '--to'),
        since: time(values.since, '--since'),
        until: time(values.until, '--until'),
        prefix: values.prefix,
        maxFileBytes: mebibytes(values['max-file-mb']),
        uploadConcurrency: integer(values.concurrency, '--concurrency'),
      },
    );
    report(result, true);
    io.out(JSON.stringify({ store: where, ...result }));
    return 0;
  } catch (error) {
    io.err(`replay failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    options: {
      'queue-dir': { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      ...BULK_FLAGS,
    },
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runReplayCli(process.argv.slice(2), {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
  });
}
