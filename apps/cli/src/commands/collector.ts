// `sluice collector`: one collector process (scale-out: run as many as the load needs behind a
// load balancer; they hold no state).
import { type CollectorConfig, startCollector, startCollectorWorkers } from '@sluice/collector';
import type { Queue } from '@sluice/queue';
import type { Command } from 'commander';
import { reloadFromFile } from '../lib/config-reload.js';
import { fileModes, sharedReadOption } from '../lib/file-modes.js';
import { loadConfig, loggerAt, stopOnSignal } from '../lib/lifecycle.js';
import { openWorkerQueues, workerQueueUrls } from '../lib/log-partitions.js';
import { processRegistry } from '../lib/metrics-server.js';
import {
  configOption,
  hostOption,
  logLevelOption,
  portOption,
  queueOption,
  tlsFilesOf,
  tlsOptions,
  withOptions,
  workersOption,
} from '../lib/options.js';
import { readTagScript } from '../lib/tag-script.js';

/**
 * `--workers N`: N collector threads on one port, worker i appending to log partition i, which
 * thread i opens and owns (nothing else in this process reads it). Another queue (NATS) is
 * opened once here and shared by the threads.
 */
async function runWorkers(
  options: CollectorCommandOptions,
  config: CollectorConfig,
  file: string | undefined,
): Promise<void> {
  const modes = fileModes(options.sharedRead);
  const shared = options.queue.startsWith('log:')
    ? []
    : await openWorkerQueues(options.queue, options.workers, modes);
  const closeQueues = () => Promise.all(shared.map((queue) => queue.close()));
  const queues =
    shared.length > 0
      ? { queues: shared }
      : { ownQueues: { urls: await workerQueueUrls(options.queue, options.workers), modes } };
  const workers = await startCollectorWorkers({
    workers: options.workers,
    ...queues,
    port: options.port,
    host: options.host,
    config,
    tagScript: await readTagScript(),
    logLevel: options.logLevel,
    // As with one collector; each thread's reload is checked here, in the main thread.
    reload: file ? reloadFromFile(file, { ...process.env }) : undefined,
    tls: tlsFilesOf(options),
    // Node's process metrics, once for the process (the threads serve their sum with these).
    registry: processRegistry(),
  }).catch(async (error: unknown) => {
    await closeQueues().catch(() => undefined);
    throw error;
  });
  stopOnSignal(async () => {
    await workers.close();
    await closeQueues();
  });
  process.stdout.write(`${JSON.stringify({ collector: process.pid, url: workers.url })}\n`);
}

interface CollectorCommandOptions {
  tlsCert?: string;
  tlsKey?: string;
  port: number;
  host: string;
  queue: string;
  config?: string;
  logLevel: string;
  sharedRead?: boolean;
  workers: number;
}

export function addCollectorCommand(program: Command): void {
  withOptions(
    program
      .command('collector')
      .description(
        'run a collector: answers the tag and SDKs, validates, and appends to the queue',
      ),
    portOption(8080),
    hostOption(),
    queueOption('log:./data/queue'),
    configOption(),
    ...tlsOptions(),
    logLevelOption('info'),
    sharedReadOption(),
    workersOption(),
  )
    .addHelpText(
      'after',
      `
Prints one JSON line {"collector": <pid>, "url": ...} once it listens.
Example (scale-out, docs/scale-out.md):
  QUEUE_URL='nats://10.0.0.1:4222?replicas=3&shards=4' sluice collector --host 0.0.0.0`,
    )
    .action(async (options: CollectorCommandOptions) => {
      const { config, file } = await loadConfig(options.config);
      if (options.workers > 1) {
        await runWorkers(options, config, file);
        return;
      }
      // Through the partitions' rules: a log that workers wrote keeps its budget split.
      const queues = await openWorkerQueues(options.queue, 1, fileModes(options.sharedRead));
      const queue = queues[0] as Queue;
      const collector = await startCollector({
        port: options.port,
        host: options.host,
        queue: queue,
        config,
        tagScript: await readTagScript(),
        logger: loggerAt(options.logLevel),
        // Sources, keys and limits change without a restart: SIGHUP or a save of the file.
        reload: file ? reloadFromFile(file, { ...process.env }) : undefined,
        tls: tlsFilesOf(options),
      }).catch(async (error: unknown) => {
        // Left open, the queue would keep the failed process alive.
        await queue.close().catch(() => undefined);
        throw error;
      });
      // Before the ready line: whoever reads it may stop the process at once.
      stopOnSignal(async () => {
        await collector.close();
        await queue.close();
      });
      process.stdout.write(`${JSON.stringify({ collector: process.pid, url: collector.url })}\n`);
    });
}
