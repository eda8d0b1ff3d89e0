// `sluice erase`: removes every event of one person (a data subject request) from the queue
// (the durable log or a JetStream stream) and the store, and can write the evidence to a file.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  describeErasure,
  eraseEverywhere,
  nodeFileCodecs,
  type QueueMatch,
} from '@sluice/forwarder';
import { eraseLogRecords, eraseStreamMessages, type LogErasureReport } from '@sluice/queue';
import { type Command, Option } from 'commander';
import { withLogPartitionLocks } from '../lib/log-lock.js';
import { findLogPartitions, logDirOf, logPartitionDir } from '../lib/log-partitions.js';
import { collect, tableOption, withOptions } from '../lib/options.js';
import { addStoreOptions, openStore, openTable, type StoreOptions } from '../lib/store-options.js';

interface EraseOptions extends StoreOptions {
  userId?: string;
  anonymousId?: string;
  prefix?: string[];
  queue: string;
  report?: string;
  table?: string;
}

export function addEraseCommand(program: Command): void {
  const command = withOptions(
    program
      .command('erase')
      .description('remove every event of a user (userId) or device (anonymousId), everywhere'),
    new Option('--user-id <id>', 'erase the events whose userId (or alias previousId) is this'),
    new Option(
      '--anonymous-id <id>',
      'erase the events whose anonymousId is this (both may be given)',
    ),
    new Option(
      '--queue <url>',
      'the queue to erase too: log:DIR, nats://HOST:4222[?stream=SLUICE], or none',
    )
      .env('QUEUE_URL')
      .default('log:data/queue'),
    new Option(
      '--prefix <prefix>',
      'where to look in the store (repeatable; default: everywhere, replays and imports too)',
    ).argParser(collect),
    new Option('--report <file>', 'write the evidence (JSON, the ids hashed) to this file'),
    tableOption(),
  );
  addStoreOptions(command)
    .addHelpText(
      'after',
      `
Stop the collector and the forwarder first: with a log: queue, erase refuses to run while a
sluice holds the log (naming it). The queue is erased first, with a log: queue every
partition a run with --workers wrote (DIR/w<i>) too (log records are replaced by erased markers, stream messages deleted with the server's erase),
then every file of the store holding the subject is rewritten under its own key, keeping every
other event; a second run finds nothing. What changed goes to stderr, the evidence to stdout
(and --report). Exit code 1 when some files could not be read (listed in the evidence).`,
    )
    .action(async (options: EraseOptions) => {
      if (options.userId === undefined && options.anonymousId === undefined) {
        command.error('error: give --user-id or --anonymous-id (or both)');
      }
      const opened = openStore(options);
      const { store, where } = opened;
      const table = openTable(options.table, opened);
      const queue = await queueErasure(options.queue);
      const erase = () =>
        eraseEverywhere(
          {
            store,
            codecs: nodeFileCodecs,
            table,
            storeWhere: where,
            ...queue,
            now: () => new Date(),
          },
          {
            subject: { userId: options.userId, anonymousId: options.anonymousId },
            prefixes: options.prefix,
          },
        );
      // The durable log's lock, held for the store's rewrite too: a forwarder started meanwhile
      // could write files with the subject's events while they are being rewritten.
      // Every partition's (`--workers N`), so no sluice writes any of them meanwhile.
      const evidence = queue.log
        ? await withLogPartitionLocks(queue.log.where, queue.log.partitions, 'sluice erase', erase)
        : await erase();
      for (const line of describeErasure(evidence)) process.stderr.write(`${line}\n`);
      const json = `${JSON.stringify(evidence, null, 2)}\n`;
      if (options.report !== undefined) {
        await writeFile(resolve(options.report), json, { mode: 0o600 });
        process.stderr.write(`evidence written to ${resolve(options.report)}\n`);
      }
      process.stdout.write(json);
      if (!evidence.complete) process.exitCode = 1;
    });
}

/** The queue part of the erasure a `--queue` URL names. */
async function queueErasure(url: string) {
  if (url === 'none') return {};
  if (url.startsWith('log:')) {
    const dir = logDirOf(url);
    if (!existsSync(join(dir, 'segments'))) {
      process.stderr.write(`no durable log in ${dir}: the queue is not erased\n`);
      return {};
    }
    // With `--workers N` the log has a partition per worker: the subject may be in any.
    const partitions = await findLogPartitions(dir);
    return {
      log: {
        where: dir,
        partitions,
        erase: (matches: QueueMatch) => eraseLogPartitions(dir, partitions, matches),
      },
    };
  }
  if (/^(nats|tls):\/\//.test(url)) {
    const at = url.indexOf('?');
    const servers = at === -1 ? url : url.slice(0, at);
    const stream = new URLSearchParams(at === -1 ? '' : url.slice(at + 1)).get('stream');
    const name = stream ?? 'SLUICE';
    return {
      stream: {
        where: servers,
        erase: (matches: QueueMatch) => eraseStreamMessages({ servers, stream: name, matches }),
      },
    };
  }
  throw new Error(`--queue ${url}: use log:DIR, nats://HOST:PORT[?stream=NAME] or none`);
}

/**
 * Erases the records that `matches` in every partition of the log in `dir`: one report, the
 * segments of partition i >= 1 named `w<i>/<segment>`.
 */
async function eraseLogPartitions(
  dir: string,
  partitions: readonly number[],
  matches: QueueMatch,
): Promise<LogErasureReport> {
  const total: LogErasureReport = {
    segmentsScanned: 0,
    segmentsRewritten: [],
    recordsErased: 0,
    staleTempFiles: 0,
  };
  for (const index of partitions) {
    const report = await eraseLogRecords(logPartitionDir(dir, index), { matches });
    total.segmentsScanned += report.segmentsScanned;
    total.recordsErased += report.recordsErased;
    total.staleTempFiles += report.staleTempFiles;
    for (const rewritten of report.segmentsRewritten) {
      const segment = index === 0 ? rewritten.segment : `w${index}/${rewritten.segment}`;
      total.segmentsRewritten.push({ ...rewritten, segment });
    }
  }
  return total;
}
