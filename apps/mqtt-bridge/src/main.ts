// The bridge process: a broker's device messages into the queue QUEUE_URL names.
//
//   SLUICE_MQTT_CONFIG=./sluice.mqtt.json SLUICE_MQTT_PASSWORD=... SLUICE_MQTT_STATS_MS=60000 \
//   QUEUE_URL=nats://10.0.0.1:4222?replicas=3  node --import tsx apps/mqtt-bridge/src/main.ts
//
// Share a JetStream stream with the collectors. The embedded log (log:<dir>) has one owner
// process: on one machine run `startMqttBridge` inside the collector's process instead
// (docs/devices.md).

import { readFile } from 'node:fs/promises';
import { openQueue, redactQueueUrl } from '@sluice/queue';
import { parseBridgeConfig } from './bridge-config.js';
import { startMqttBridge } from './mqtt-bridge.js';

const env = process.env;
const line = (fields: Record<string, unknown>) =>
  console.log(JSON.stringify({ mqttBridge: process.pid, ...fields }));

try {
  const configPath = env.SLUICE_MQTT_CONFIG ?? 'sluice.mqtt.json';
  const config = parseBridgeConfig(JSON.parse(await readFile(configPath, 'utf8')));
  const readPem = (path: string | undefined) =>
    path === undefined ? Promise.resolve(undefined) : readFile(path, 'utf8');
  const [ca, cert, key] = await Promise.all([
    readPem(config.broker.caFile),
    readPem(config.broker.certFile),
    readPem(config.broker.keyFile),
  ]);
  const queueUrl = env.QUEUE_URL ?? 'log:./data/queue';
  const queue = await openQueue(queueUrl);
  const bridge = await startMqttBridge({
    queue,
    config,
    tls: { ...(ca && { ca }), ...(cert && { cert }), ...(key && { key }) },
    password: env.SLUICE_MQTT_PASSWORD,
    onEvent: (event) => line(event),
  });
  line({ ready: true, broker: config.broker.url, queue: redactQueueUrl(queueUrl) });
  // Counters as a log line now and then (SLUICE_MQTT_STATS_MS, default a minute; 0: never).
  const statsEveryMs = Number(env.SLUICE_MQTT_STATS_MS ?? 60_000);
  const statsTimer =
    statsEveryMs > 0 ? setInterval(() => line({ stats: bridge.stats() }), statsEveryMs) : undefined;

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(statsTimer);
    await bridge.stop();
    await queue.close();
    line({ stopped: true, stats: bridge.stats() });
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
} catch (error) {
  console.error(`sluice mqtt bridge: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
