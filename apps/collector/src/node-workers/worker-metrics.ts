// /metrics of `--workers N`: a scrape reaches one thread (whichever the kernel gave the
// connection), so that thread asks the main thread, which collects every thread's collector
// metrics and sums them with its own (process and forwarder metrics) through prom-client's
// AggregatorRegistry (made for cluster workers; the same sums hold for threads). Every scrape
// thus sees the whole process, and counters never jump between threads' values.
import type { Worker } from 'node:worker_threads';
import type { QueueProducer } from '@sluice/queue';
import { metricsIn } from '@sluice/queue/metrics';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { FromWorker, MetricsJson, ToWorker } from './worker-protocol.js';

/** How long a thread may take to hand its metrics over before the scrape goes without them. */
const COLLECT_TIMEOUT_MS = 2_000;

export interface WorkerMetrics {
  /** Answers a thread's `scrape` with every thread's metrics and `main`'s. */
  answer(thread: Worker, id: number): void;
  /** Routes a thread's `collected` reply. */
  collected(message: Extract<FromWorker, { type: 'collected' }>): void;
}

export function createWorkerMetrics(threads: readonly Worker[], main?: Registry): WorkerMetrics {
  const waiting = new Map<number, (metrics: MetricsJson) => void>();
  let nextId = 0;

  function collect(thread: Worker): Promise<MetricsJson> {
    const id = nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        waiting.delete(id);
        resolve([]);
      }, COLLECT_TIMEOUT_MS);
      waiting.set(id, (metrics) => {
        clearTimeout(timer);
        resolve(metrics);
      });
      thread.postMessage({ type: 'collect', id } satisfies ToWorker);
    });
  }

  return {
    answer(thread, id) {
      const all = [...threads.map(collect), main ? main.getMetricsAsJSON() : []];
      void Promise.all(all)
        .then(async (metrics) => {
          const summed = AggregatorRegistry.aggregate(metrics as MetricsJson[]);
          const body = await summed.metrics();
          thread.postMessage({
            type: 'scraped',
            id,
            body,
            contentType: summed.contentType,
          } satisfies ToWorker);
        })
        .catch((error: unknown) => {
          const body = `# metrics could not be collected: ${String(error)}\n`;
          thread.postMessage({ type: 'scraped', id, body, contentType: 'text/plain' });
        });
    },
    collected(message) {
      const resolve = waiting.get(message.id);
      waiting.delete(message.id);
      resolve?.(message.metrics);
    },
  };
}

/**
 * The log's metrics a single collector serves (`sluice_queue_depth`, the damage and fdatasync
 * totals), in the main thread's `registry` over every partition, when the main thread holds
 * them (`queues` of startCollectorWorkers).
 */
export function registerLogPartitionMetrics(
  registry: Registry,
  queues: readonly QueueProducer[],
): void {
  const m = metricsIn(registry);
  const sum = (read: (queue: QueueProducer) => number | undefined) => () => {
    const values = queues.map(read).filter((value) => value !== undefined);
    return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0);
  };
  const stats = (queue: QueueProducer) =>
    (
      queue as { stats?: () => { corruptBytes?: number; damagedRanges?: number; syncs?: number } }
    ).stats?.();
  m.gauge(
    'sluice_queue_depth',
    'Messages held in the queue and not yet removed',
    sum((queue) => queue.depth?.()),
  );
  m.total(
    'sluice_log_corrupt_bytes_total',
    'Damaged bytes of the embedded log skipped by its readers (torn tails of a crash not counted)',
    sum((queue) => stats(queue)?.corruptBytes),
  );
  m.total(
    'sluice_log_damaged_ranges_total',
    'Damaged byte ranges of the embedded log met, each kept in <log>/damaged/',
    sum((queue) => stats(queue)?.damagedRanges),
  );
  m.total(
    'sluice_log_syncs_total',
    "fdatasync calls of the embedded log's group commits (none with durability=none)",
    sum((queue) => stats(queue)?.syncs),
  );
}
