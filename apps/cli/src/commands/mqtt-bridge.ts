// `sluice mqtt-bridge`: a broker's device messages into the queue (apps/mqtt-bridge). Share a
// JetStream stream with the collectors; the embedded log (log:<dir>) has one owner process, so
// on one machine run `startMqttBridge` inside the collector's process instead (docs/devices.md).
import { readFile } from 'node:fs/promises';
import { createNodeLogger } from '@sluice/collector';
import { openQueue, redactQueueUrl } from '@sluice/queue';
import { type Command, Option } from 'commander';
import { fileModes, sharedReadOption } from '../lib/file-modes.js';
import { stopOnSignal } from '../lib/lifecycle.js';
import {
  metricsHostOption,
  metricsPortOption,
  processRegistry,
  serveMetricsIfAsked,
} from '../lib/metrics-server.js';
import { queueOption, wholeNumber, withOptions } from '../lib/options.js';

interface MqttBridgeOptions {
  queue: string;
  config: string;
  statsMs: number;
  sharedRead?: boolean;
  metricsPort?: number;
  metricsHost: string;
}

export function addMqttBridgeCommand(program: Command): void {
  withOptions(
    program
      .command('mqtt-bridge')
      .description(
        'run the MQTT bridge: device messages from a broker into the queue, acknowledged once it holds them',
      ),
    queueOption('log:./data/queue'),
    new Option(
      '--config <file>',
      'the bridge config: broker, routes, retry (apps/mqtt-bridge/README.md)',
    )
      .env('SLUICE_MQTT_CONFIG')
      .default('sluice.mqtt.json'),
    new Option('--stats-ms <ms>', 'print the counters this often (0: only at the stop)')
      .env('SLUICE_MQTT_STATS_MS')
      .default(60_000)
      .argParser(wholeNumber),
    sharedReadOption(),
    metricsPortOption(),
    metricsHostOption(),
  )
    .addHelpText(
      'after',
      `
The broker password comes from SLUICE_MQTT_PASSWORD (or the config file).
Prints JSON lines: {"mqttBridge": <pid>, "ready": true, ...} once subscribed, then connections,
refused appends and stats. Stop it with SIGTERM or Ctrl+C: it finishes the message in hand.`,
    )
    .action(async (options: MqttBridgeOptions) => {
      // Loaded here, not with the CLI: the MQTT client and its dependencies are ~10 MB of RSS
      // that every other command (`sluice start` among them) would carry.
      const { createBridgeMetrics, parseBridgeConfig, startMqttBridge } = await import(
        '@sluice/mqtt-bridge'
      );
      // pino JSON lines; the bridge's events carry no password (the broker URL has none).
      const logger = createNodeLogger({ service: 'sluice-mqtt-bridge' });
      const line = (fields: Record<string, unknown>) =>
        logger.info(
          { mqttBridge: process.pid, ...fields },
          String(fields.type ?? (fields.ready ? 'ready' : 'mqtt-bridge')),
        );
      const config = parseBridgeConfig(JSON.parse(await readFile(options.config, 'utf8')));
      const readPem = (path: string | undefined) =>
        path === undefined ? Promise.resolve(undefined) : readFile(path, 'utf8');
      const [ca, cert, key] = await Promise.all([
        readPem(config.broker.caFile),
        readPem(config.broker.certFile),
        readPem(config.broker.keyFile),
      ]);
      const queue = await openQueue(options.queue, fileModes(options.sharedRead));
      const registry = processRegistry();
      const metrics = createBridgeMetrics(registry);
      const bridge = await startMqttBridge({
        queue,
        config,
        tls: { ...(ca && { ca }), ...(cert && { cert }), ...(key && { key }) },
        password: process.env.SLUICE_MQTT_PASSWORD,
        onEvent: (event) => {
          metrics.event(event);
          line(event);
        },
      });
      metrics.watch(bridge);
      const server = await serveMetricsIfAsked(options, registry, () =>
        metrics.connected() ? undefined : 'not connected to the broker',
      );
      const statsTimer =
        options.statsMs > 0
          ? setInterval(() => line({ stats: bridge.stats() }), options.statsMs)
          : undefined;
      // Before the ready line: whoever reads it may stop the process at once.
      stopOnSignal(async () => {
        clearInterval(statsTimer);
        await server?.close();
        await bridge.stop();
        await queue.close();
        line({ stopped: true, stats: bridge.stats() });
      });
      line({
        ready: true,
        broker: config.broker.url,
        queue: redactQueueUrl(options.queue),
        ...(server && { metrics: `${server.url}/metrics` }),
      });
    });
}
