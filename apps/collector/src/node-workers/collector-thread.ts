// One collector worker of `--workers N` (a worker thread): parses, validates and enriches on its
// own core, sharing the port with the others (SO_REUSEPORT). Where its log partition goes:
// - `sluice collector --workers N` (`start.queue`): the thread opens its partition and owns it,
//   so the writer, its group commit and the answers stay on this thread. Measured on 2 cores
//   (BENCHMARKS.md, workers, 2026-12-03 19:20): one such thread 38.9 µs of CPU an event at 10
//   events a request, one process 41.9; two threads 56.5, two written from the main thread 69.8.
// - `sluice start --workers N`: the forwarder reads the partitions in the main thread and must
//   be beside their writer (the log wakes its readers in-process), so the thread encodes its
//   appends as log frames and the main thread writes them (frames-hand-off.ts).
// What only the main thread has reaches the thread as messages: the forwarder's readiness
// (for /readyz), SIGHUP (signals are not delivered to threads), the process's metrics
// (worker-metrics.ts) and the config loader of a reload (the CLI's, which checks the file as
// `sluice config check` does).
import { parentPort, workerData } from 'node:worker_threads';
import { openQueue, type Queue } from '@sluice/queue';
import { Registry } from 'prom-client';
import type { CollectorConfig } from '../config.js';
import { createNodeLogger, startCollector } from '../node.js';
import { framesProducer } from './frames-hand-off.js';
import type { FromWorker, ToWorker, WorkerStart } from './worker-protocol.js';

const start = workerData as WorkerStart;
const port = parentPort!;
const scrapes = new Map<number, (body: string) => void>();
const configLoads = new Map<
  number,
  (message: Extract<ToWorker, { type: 'config-loaded' }>) => void
>();
let nextId = 0;
let notReady: string | undefined;
const send = (message: FromWorker) => port.postMessage(message);

/** Appends through the main thread; resolves once the log partition holds them durably. */
const appends = framesProducer((message, transfer) => port.postMessage(message, transfer));

/** This thread's collector metrics; a scrape of /metrics answers with the whole process's. */
class ThreadRegistry extends Registry {
  override metrics(): Promise<string> {
    const id = nextId++;
    return new Promise((resolve) => {
      scrapes.set(id, resolve);
      send({ type: 'scrape', id });
    });
  }
}
const registry = new ThreadRegistry();

/** Loads a new config through the main thread (its `reload.load()`). */
function loadConfig(): Promise<CollectorConfig> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    configLoads.set(id, ({ config, error }) =>
      config ? resolve(config) : reject(new Error(error ?? 'config not loaded')),
    );
    send({ type: 'load-config', id });
  });
}

let owned: Queue | undefined;
try {
  // Opened here, so its lock, writer and fsyncs belong to this thread (module comment).
  owned = start.queue && (await openQueue(start.queue.url, start.queue.modes));
  const collector = await startCollector({
    port: start.port,
    host: start.host,
    queue: owned ?? appends.queue,
    config: start.config,
    tagScript: start.tagScript,
    logger:
      start.logLevel === 'silent'
        ? false
        : createNodeLogger({ level: start.logLevel, service: `sluice-collector-w${start.index}` }),
    tls: start.tls,
    reusePort: true,
    registry,
    notReady: () => notReady,
    // As with one collector: sources, keys and limits change without a restart.
    reload: start.reload && { ...start.reload, load: loadConfig },
  });
  port.on('message', async (message: ToWorker) => {
    switch (message.type) {
      case 'close':
        await collector.close().catch(() => undefined);
        // After the last answer: every acknowledged append is in the partition by then.
        await owned?.close().catch(() => undefined);
        send({ type: 'closed' });
        return;
      case 'appended':
        return appends.settle(message);
      case 'readiness':
        notReady = message.notReady;
        return;
      case 'hangup':
        // The collector's own SIGHUP listeners (config and TLS reload) run as on one thread.
        process.emit('SIGHUP', 'SIGHUP');
        return;
      case 'collect':
        send({ type: 'collected', id: message.id, metrics: await registry.getMetricsAsJSON() });
        return;
      case 'scraped':
        scrapes.get(message.id)?.(message.body);
        scrapes.delete(message.id);
        return;
      case 'config-loaded':
        configLoads.get(message.id)?.(message);
        configLoads.delete(message.id);
        return;
    }
  });
  send({ type: 'listening', url: collector.url });
} catch (error) {
  await owned?.close().catch(() => undefined);
  send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
}
