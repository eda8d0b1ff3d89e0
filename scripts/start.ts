// `pnpm start`: the collector and the forwarder in one process on embedded defaults
// (a durable log under ./data/queue, files under ./data/store). QUEUE_URL picks another
// queue, e.g. nats://127.0.0.1:4222 (docs/scale-out.md).
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createNodeLogger, loadCollectorConfig, startCollector } from '@sluice/collector';
import { openQueue } from '@sluice/queue';
import { createFsStore } from '@sluice/store';
import { startQueueForwarding } from './lib/forward-queue.js';

const dataDir = resolve(process.env.SLUICE_DATA_DIR ?? 'data');
const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';
// SLUICE_CONFIG (or ./sluice.config.json) with SLUICE__* overrides; without a file, one demo
// source: write key SLUICE_WRITE_KEY or 'demo-key', origins SLUICE_ALLOWED_ORIGINS or '*'.
// Write keys are public: the origin list is what keeps other sites out. '*' suits a try-out.
const { config, from } = await loadCollectorConfig({ env: process.env });
const firstSource = config.sources[0]!;
const writeKey = config.sources.find((s) => s.writeKeys.length > 0)?.writeKeys[0] ?? '<write key>';
const maxFileAgeMs = Number(process.env.SLUICE_FILE_AGE_MS ?? 120_000);

const tagScript = await readFile(
  new URL('../packages/tracker/dist/sluice.js', import.meta.url),
  'utf8',
);
const queueUrl = process.env.QUEUE_URL ?? `log:${resolve(dataDir, 'queue')}`;
const queue = await openQueue(queueUrl);
const store = createFsStore({ root: resolve(dataDir, 'store') });
const collector = await startCollector({
  port,
  host,
  queue,
  tagScript,
  config,
  logger: createNodeLogger({ level: process.env.SLUICE_LOG_LEVEL ?? 'info' }),
});
// The forwarder's dedup index (messageIds of the last 24 h) lives beside the log.
const forwarder = await startQueueForwarding({
  queue,
  store,
  options: { maxFileAgeMs },
  stateDir: resolve(dataDir, 'forwarder'),
});

console.log(`sluice is running
  config:      ${from}
  demo page:   ${collector.url}/demo
  script tag:  <script async src="${collector.url}/s.js" data-key="${writeKey}"></script>
  metrics:     ${collector.url}/metrics    API: ${collector.url}/openapi.json
  queue:       ${queueUrl.replace(/\?.*/, '')}
  files:       ${resolve(dataDir, 'store')}/events/source=${firstSource.id}/dt=YYYY-MM-DD/hh=HH/ (written every ${maxFileAgeMs / 1000} s or 64 MiB)
Press Ctrl+C to stop (pending events are flushed to files first).`);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await collector.close();
  await forwarder.stop();
  await queue.close();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
