// `sluice start` (and `pnpm start`): the collector and the forwarder in one process on
// embedded defaults: a durable log in <data-dir>/queue, files in <data-dir>/store, and the
// live view behind an admin secret made on first start.
import { resolve } from 'node:path';
import {
  DEFAULT_MAX_VIEWERS,
  describeTagScript,
  hashSecretKey,
  startCollector,
  startCollectorWorkers,
} from '@sluice/collector';
import {
  createForwarderMetrics,
  FORWARDER_NODE_FLAGS,
  type Forwarding,
  startForwarding,
} from '@sluice/forwarder';
import type { FileFormatName } from '@sluice/layout';
import { type Queue, redactQueueUrl } from '@sluice/queue';
import { type Command, Option } from 'commander';
import { adminSecretIn } from '../lib/admin-secret.js';
import { fileModes } from '../lib/file-modes.js';
import {
  exitWhenFailed,
  loadConfig,
  logForwarderErrors,
  loggerAt,
  stopOnSignal,
} from '../lib/lifecycle.js';
import { closeQueues, forwardedQueues, openWorkerQueues } from '../lib/log-partitions.js';
import { processRegistry } from '../lib/metrics-server.js';
import { relaunchWithNodeFlags } from '../lib/node-flags.js';
import {
  configOption,
  fileAgeOption,
  fileOptionsOf,
  formatOption,
  hostOption,
  logLevelOption,
  portOption,
  tableOption,
  tlsFilesOf,
  tlsOptions,
  unreadyAfterOption,
  withOptions,
  workersOption,
} from '../lib/options.js';
import { addStoreOptions, openStore, openTable, type StoreOptions } from '../lib/store-options.js';
import { readTagScript } from '../lib/tag-script.js';
import { startBanner } from './start-banner.js';

interface StartOptions extends StoreOptions {
  tlsCert?: string;
  tlsKey?: string;
  dataDir: string;
  port: number;
  host: string;
  queue?: string;
  fileAgeMs: number;
  format?: FileFormatName;
  table?: string;
  config?: string;
  logLevel: string;
  unreadyAfterMs: number;
  workers: number;
}

export function addStartCommand(program: Command): void {
  const command = withOptions(
    program
      .command('start')
      .description(
        'run everything in one process on embedded defaults: the quickest way to try sluice',
      ),
    new Option('--data-dir <dir>', 'the queue, the files and the admin secret go here')
      .env('SLUICE_DATA_DIR')
      .default('data'),
    portOption(8080),
    hostOption(),
    new Option(
      '--queue <url>',
      'another queue, e.g. nats://127.0.0.1:4222 (default: log:<data-dir>/queue)',
    ).env('QUEUE_URL'),
    fileAgeOption(),
    formatOption(),
    tableOption(),
    configOption(),
    unreadyAfterOption(),
    workersOption(),
    ...tlsOptions(),
    logLevelOption('warn'),
  );
  addStoreOptions(command, '<data-dir>/store')
    .addHelpText(
      'after',
      `
Prints the demo page, the live view and its admin secret (on a terminal; else the file it is in), the script tag, where files land
and how to query them. Without a config file it serves one demo source: write key demo-key
(SLUICE_WRITE_KEY), any origin (SLUICE_ALLOWED_ORIGINS).`,
    )
    .action(async (options: StartOptions) => {
      // The forwarder in this process holds its open files' ids as `sluice forwarder` does. The
      // young generation halves (67 -> 34 MB). The collector beside it was within noise at 1 and
      // 10 events a request and did 0.80-1.03x the requests/s at 50 (four same-run pairs on a
      // loaded machine: BENCHMARKS.md, notes below Memory, issue 18).
      relaunchWithNodeFlags(FORWARDER_NODE_FLAGS);
      const dataDir = resolve(options.dataDir);
      const opened = openStore(options, resolve(dataDir, 'store'));
      const { store, where, dir: storeDir } = opened;
      const modes = fileModes(options.sharedRead);
      const loaded = await loadConfig(options.config);
      let { config } = loaded;
      let admin: { secret?: string; file?: string } = {};
      if (!config.admin) {
        // No admin section: a secret of our own, so the live view works on the first start.
        const { secret, file } = await adminSecretIn(dataDir, modes.dirMode);
        admin = { secret, file };
        config = {
          ...config,
          admin: { secretHash: await hashSecretKey(secret), maxViewers: DEFAULT_MAX_VIEWERS },
        };
      }
      const tagScript = await readTagScript();
      if (tagScript === undefined) {
        process.stderr.write(
          'sluice: the tag is not built, so /s.js and /demo do not work: run `pnpm --filter @sluice/tracker build`\n',
        );
      }
      const queueUrl = options.queue ?? `log:${resolve(dataDir, 'queue')}`;
      // With workers, each appends to its own log partition (lib/log-partitions.ts); partitions
      // an earlier run with more workers left are forwarded too.
      const queues = await openWorkerQueues(queueUrl, options.workers, modes, { found: true });
      const queue = queues[0] as Queue;
      const closeAll = () => closeQueues(queues);
      // The forwarder first: if it cannot start (e.g. damaged state), nothing serves and the
      // process exits non-zero, instead of accepting events that would never be forwarded.
      // One /metrics for the process: the collector's and the forwarder's.
      const registry = processRegistry();
      const forwarderMetrics = createForwarderMetrics(registry);
      let forwarder: Forwarding;
      try {
        // The forwarder's dedup index (messageIds of the last 24 h) lives beside the log.
        forwarder = await startForwarding({
          ...forwardedQueues(queues),
          store,
          options: fileOptionsOf(options),
          table: openTable(options.table, opened),
          stateDir: resolve(dataDir, 'forwarder'),
          stateModes: modes,
          onError: logForwarderErrors(loggerAt(options.logLevel)),
          observer: forwarderMetrics.observer,
          unreadyAfterMs: options.unreadyAfterMs,
          onShardEvent: (event) => {
            if (event.type !== 'error') forwarderMetrics.shardEvent(event.type);
          },
        });
        forwarderMetrics.watch(forwarder);
      } catch (error) {
        await closeAll().catch(() => undefined);
        throw error;
      }
      // If the collector cannot start (e.g. a TLS file it cannot read), the forwarder and the
      // queue are stopped too: left running, they would keep the failed process alive.
      const collector = await (options.workers > 1
        ? startCollectorWorkers({
            workers: options.workers,
            queues,
            port: options.port,
            host: options.host,
            config,
            tagScript,
            logLevel: options.logLevel,
            tls: tlsFilesOf(options),
            notReady: forwarder.notForwarding,
            registry,
          })
        : startCollector({
            port: options.port,
            host: options.host,
            queue,
            tagScript,
            config,
            logger: loggerAt(options.logLevel),
            tls: tlsFilesOf(options),
            notReady: forwarder.notForwarding,
            registry,
          })
      ).catch(async (error: unknown) => {
        await forwarder.stop().catch(() => undefined);
        await closeAll().catch(() => undefined);
        throw error;
      });
      // Before the banner: whoever reads it may press Ctrl+C at once.
      stopOnSignal(async () => {
        await collector.close();
        await forwarder.stop();
        await closeAll();
      });
      exitWhenFailed(forwarder.done, async () => {
        await collector.close();
        await closeAll();
      });
      process.stdout.write(
        startBanner({
          url: collector.url,
          configFrom: loaded.from,
          writeKey: config.sources.find((s) => s.writeKeys.length > 0)?.writeKeys[0],
          sourceId: config.sources[0]!.id,
          adminSecret: admin.secret,
          adminSecretFile: admin.file,
          // Stdout that is no terminal ends up in logs (docker, journald): name the file only.
          showSecret: process.stdout.isTTY === true,
          storeDir,
          storeWhere: where,
          queue: redactQueueUrl(queueUrl),
          fileAgeMs: options.fileAgeMs,
          // A table holds Parquet: --table alone means --format parquet.
          ...(options.format || options.table
            ? { format: options.format ?? ('parquet' as const) }
            : {}),
          ...(tagScript === undefined
            ? {}
            : { tag: { identity: await describeTagScript(tagScript), paths: config.paths } }),
          cli: process.env.npm_lifecycle_event ? 'pnpm sluice' : 'sluice',
        }),
      );
    });
}
