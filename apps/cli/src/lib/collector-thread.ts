// One collector worker of `--workers N` (a worker thread): parses, validates and enriches on its
// own core, sharing the port with the others (SO_REUSEPORT). Its appends go to the main thread,
// which owns the log partition of this worker (collector-workers.ts), so each log directory
// keeps one owner process and its consumer stays beside its writer.
import { parentPort, workerData } from 'node:worker_threads';
import { startCollector } from '@sluice/collector';
import { QueueFullError, type QueueMessage, type QueueProducer } from '@sluice/queue';
import { loadConfig, loggerAt } from './lifecycle.js';
import { readTagScript } from './tag-script.js';
import type { FromWorker, ToWorker, WorkerStart } from './worker-protocol.js';

const start = workerData as WorkerStart;
const port = parentPort!;
const waiting = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
let nextId = 0;
const send = (message: FromWorker) => port.postMessage(message);

/** Appends through the main thread; resolves once the log partition holds them durably. */
const queue: QueueProducer = {
  append(messages: readonly QueueMessage[]) {
    const id = nextId++;
    return new Promise<void>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      send({ type: 'append', id, messages: messages as QueueMessage[] });
    });
  },
  async close() {},
};

try {
  const config = start.collectorConfig ?? (await loadConfig(start.config)).config;
  const collector = await startCollector({
    port: start.port,
    host: start.host,
    queue,
    config,
    tagScript: await readTagScript(),
    logger: loggerAt(start.logLevel, `sluice-collector-w${start.index}`),
    tls: start.tls,
    reusePort: true,
  });
  port.on('message', async (message: ToWorker) => {
    if (message.type === 'close') {
      await collector.close().catch(() => undefined);
      send({ type: 'closed' });
      return;
    }
    const held = waiting.get(message.id);
    waiting.delete(message.id);
    if (!message.error) held?.resolve();
    else if (message.error.name === 'QueueFullError') {
      held?.reject(new QueueFullError(message.error.message, message.error.retryAfterSeconds));
    } else held?.reject(new Error(message.error.message));
  });
  send({ type: 'listening', url: collector.url });
} catch (error) {
  send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
}
