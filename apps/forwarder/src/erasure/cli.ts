// `tsx apps/forwarder/src/erasure/cli.ts --dir ./data --user-id <id>` erases a data subject.
// Progress goes to stderr; the report to stdout as JSON. Exit code 1 when some files could not
// be read (listed in the report), 2 on a usage error. Safe to run again.

import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  type CliIo,
  isUsageError,
  STORE_ARGS,
  STORE_USAGE,
  storeFromArgs,
  UsageError,
} from '../compaction/cli-support.js';
import { nodeFileCodecs } from '../compaction/node-codecs.js';
import { eraseSubject } from './erase-subject.js';
import { assertSubject } from './subject-matcher.js';

const USAGE = `usage: erasure/cli.ts <store> (--user-id <id> | --anonymous-id <id>) [options]
${STORE_USAGE}
options:
  --user-id <id>            erase the events whose userId is <id>
  --anonymous-id <id>       erase the events whose anonymousId is <id> (both may be given)
  --prefix <p>              where to look (repeatable; default the whole store)`;

/** Runs the command; resolves with the exit code. */
export async function runErasureCli(argv: string[], io: CliIo): Promise<number> {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        ...STORE_ARGS,
        'user-id': { type: 'string' },
        'anonymous-id': { type: 'string' },
        prefix: { type: 'string', multiple: true },
      },
    });
    const userId = values['user-id'];
    const anonymousId = values['anonymous-id'];
    try {
      assertSubject({ userId, anonymousId });
    } catch (error) {
      throw new UsageError(`give --user-id or --anonymous-id: ${(error as Error).message}`);
    }
    const report = await eraseSubject(
      { store: storeFromArgs(values), codecs: nodeFileCodecs },
      {
        subject: { userId, anonymousId },
        prefixes: values.prefix,
        onProgress: (step) =>
          io.err(
            step.type === 'rewritten'
              ? `${step.key}: removed ${step.removed}`
              : `${step.partition}: ${step.files} files read, ${step.removed} lines removed`,
          ),
      },
    );
    io.out(JSON.stringify(report));
    return report.unreadableFiles.length > 0 ? 1 : 0;
  } catch (error) {
    if (!isUsageError(error)) throw error;
    io.err(`${error.message}\n${USAGE}`);
    return 2;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await runErasureCli(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
}
