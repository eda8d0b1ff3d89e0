// `sluice forwarder`: one forwarder process. Against one JetStream stream, several share its
// shards; on the embedded log, one per log (all its partitions, when collectors ran with
// `--workers N`).

import { createNodeLogger } from '@sluice/collector';
import { createForwarderMetrics, FORWARDER_NODE_FLAGS, startForwarding } from '@sluice/forwarder';
import type { FileFormatName } from '@sluice/layout';
import { openQueue, redactQueueUrl } from '@sluice/queue';
import { type Command, Option } from 'commander';
import { fileModes } from '../lib/file-modes.js';
import { exitWhenFailed, logForwarderErrors, loggerAt, stopOnSignal } from '../lib/lifecycle.js';
import { closeQueues, forwardedQueues, openWorkerQueues } from '../lib/log-partitions.js';
import {
  metricsHostOption,
  metricsPortOption,
  processRegistry,
  serveMetricsIfAsked,
} from '../lib/metrics-server.js';
import { relaunchWithNodeFlags } from '../lib/node-flags.js';
import {
  fileAgeOption,
  fileOptionsOf,
  formatOption,
  logLevelOption,
  queueOption,
  tableOption,
  unreadyAfterOption,
  wholeNumber,
  withOptions,
} from '../lib/options.js';
import { addStoreOptions, openStore, openTable, type StoreOptions } from '../lib/store-options.js';

interface ForwarderCommandOptions extends StoreOptions {
  queue: string;
  fileAgeMs: number;
  format?: FileFormatName;
  table?: string;
  maxFileBytes?: number;
  stateDir?: string;
  metricsPort?: number;
  metricsHost: string;
  unreadyAfterMs: number;
  logLevel: string;
}

export function addForwarderCommand(program: Command): void {
  const command = withOptions(
    program
      .command('forwarder')
      .description(
        'run a forwarder: moves events from the queue into files in the store, once each',
      ),
    queueOption('log:./data/queue'),
    fileAgeOption(),
    formatOption(),
    tableOption(),
    new Option('--max-file-bytes <n>', 'cut a file at this many bytes of NDJSON (default 64 MiB)')
      .env('SLUICE_MAX_FILE_BYTES')
      .argParser(wholeNumber),
    new Option(
      '--state-dir <dir>',
      'local state (the dedup index of the last 24 h of messageIds); beside the queue',
    ).env('SLUICE_STATE_DIR'),
    metricsPortOption(),
    metricsHostOption(),
    unreadyAfterOption(),
    logLevelOption('info'),
  );
  addStoreOptions(command)
    .addHelpText(
      'after',
      `
Prints JSON lines (pino): {"forwarder": <pid>, "ready": true, ...} once it reads, then shard events.
Stop it with SIGTERM or Ctrl+C: it writes and acknowledges what it holds first.`,
    )
    .action(async (options: ForwarderCommandOptions) => {
      relaunchWithNodeFlags(FORWARDER_NODE_FLAGS);
      const logger = loggerAt(options.logLevel, 'sluice-forwarder') || undefined;
      // The ready line and shard events are the command's output, not logs: written whatever
      // --log-level says (scripts wait for the ready line; the bridge does the same).
      const status = createNodeLogger({ service: 'sluice-forwarder' });
      const log = (line: Record<string, unknown>) =>
        status.info(line, String(line.type ?? (line.ready ? 'ready' : 'forwarder')));
      const opened = openStore(options);
      const { store } = opened;
      const maxFileBytes = options.maxFileBytes;
      const modes = fileModes(options.sharedRead);
      // A log that collectors with `--workers N` wrote has a partition each: all are read.
      const queues = options.queue.startsWith('log:')
        ? await openWorkerQueues(options.queue, 1, modes, { found: true })
        : [await openQueue(options.queue, modes)];
      const closeAll = () => closeQueues(queues);
      const registry = processRegistry();
      const metrics = createForwarderMetrics(registry);
      const forwarding = await startForwarding({
        ...forwardedQueues(queues),
        store,
        options: {
          ...fileOptionsOf(options),
          // Tests and low-latency setups cut files below the usual 1 MiB floor.
          ...(maxFileBytes ? { maxFileBytes, minFileBytes: Math.min(maxFileBytes, 1 << 20) } : {}),
        },
        table: openTable(options.table, opened),
        stateDir: options.stateDir,
        stateModes: modes,
        onError: logForwarderErrors(logger ?? false),
        observer: metrics.observer,
        unreadyAfterMs: options.unreadyAfterMs,
        onShardEvent: (event) => {
          if (event.type === 'error') return;
          metrics.shardEvent(event.type);
          log({ forwarder: process.pid, ...event });
        },
      });
      metrics.watch(forwarding);
      const server = await serveMetricsIfAsked(options, registry, () => forwarding.notForwarding());
      // Before the ready line: whoever reads it may stop the process at once.
      stopOnSignal(async () => {
        await server?.close();
        await forwarding.stop();
        await closeAll();
      });
      exitWhenFailed(forwarding.done, closeAll);
      log({
        forwarder: process.pid,
        ready: true,
        queue: redactQueueUrl(options.queue),
        ...(queues.length > 1 && { logPartitions: queues.length }),
        ...(server && { metrics: `${server.url}/metrics` }),
      });
    });
}
