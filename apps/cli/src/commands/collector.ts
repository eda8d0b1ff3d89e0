// `sluice collector`: one collector process (scale-out: run as many as the load needs behind a
// load balancer; they hold no state).
import { startCollector } from '@sluice/collector';
import { openQueue } from '@sluice/queue';
import type { Command } from 'commander';
import { reloadFromFile } from '../lib/config-reload.js';
import { fileModes, sharedReadOption } from '../lib/file-modes.js';
import { loadConfig, loggerAt, stopOnSignal } from '../lib/lifecycle.js';
import {
  configOption,
  hostOption,
  logLevelOption,
  portOption,
  queueOption,
  tlsFilesOf,
  tlsOptions,
  withOptions,
} from '../lib/options.js';
import { readTagScript } from '../lib/tag-script.js';

interface CollectorCommandOptions {
  tlsCert?: string;
  tlsKey?: string;
  port: number;
  host: string;
  queue: string;
  config?: string;
  logLevel: string;
  sharedRead?: boolean;
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
      const queue = await openQueue(options.queue, fileModes(options.sharedRead));
      const collector = await startCollector({
        port: options.port,
        host: options.host,
        queue,
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
