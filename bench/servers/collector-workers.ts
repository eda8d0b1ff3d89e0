// The collector of `--workers N`: N collector threads sharing the port (SO_REUSEPORT), worker i
// appending to log partition i with fdatasync per group commit (or none). Who writes the
// partitions is the command's: `sluice collector --workers N` lets each thread open and write its
// own (`writer: 'threads'`); `sluice start --workers N` writes them from the main thread, beside
// the forwarder that reads them (`writer: 'main'`). Counts what reached the partitions, so the
// harness checks every acknowledged event was taken: from the queues held here, or from the
// threads' own log metrics (`sluice_queue_depth`, `sluice_log_syncs_total`) over /metrics.

import { startCollectorWorkers } from '@sluice/collector';
import type { LogQueue, QueueProducer } from '@sluice/queue';
import { fileModes } from '../../apps/cli/src/lib/file-modes.js';
import { openWorkerQueues, workerQueueUrls } from '../../apps/cli/src/lib/log-partitions.js';
import { BENCH_COLLECTOR_CONFIG } from './bench-source.js';
import { runChild } from './child-runtime.js';

export interface CollectorWorkersChildConfig {
  /** The log's directory: partition 0, and w1, w2, ... beside its segments. */
  queueDir: string;
  workers: number;
  /** The log's durability: fdatasync per group commit (the default) or none. */
  durability: 'fsync' | 'none';
  /** Who writes the partitions (module comment). */
  writer: 'threads' | 'main';
}

const settings = {
  port: 0,
  host: '127.0.0.1',
  config: BENCH_COLLECTOR_CONFIG,
  logLevel: 'info', // as startCollector's default logger in the one-process collector
};

runChild<CollectorWorkersChildConfig>(async ({ queueDir, workers, durability, writer }) => {
  const url = `log:${queueDir}?durability=${durability}`;
  if (writer === 'threads') {
    const urls = await workerQueueUrls(url, workers);
    const collector = await startCollectorWorkers({
      workers,
      ownQueues: { urls, modes: fileModes(false) },
      ...settings,
    });
    const read = async () => {
      const text = await (await fetch(`${collector.url}/metrics`)).text();
      return {
        appended: metricValue(text, 'sluice_queue_depth'),
        syncs: metricValue(text, 'sluice_log_syncs_total'),
      };
    };
    // The harness asks once more after stop, when /metrics is gone: the last reading.
    let last: Awaited<ReturnType<typeof read>> | undefined;
    return {
      url: collector.url,
      values: async () => last ?? (await read()),
      stop: async () => {
        last = await read();
        await collector.close();
      },
    };
  }
  const partitions = await openWorkerQueues(url, workers, fileModes(false));
  let appended = 0;
  const queues: QueueProducer[] = partitions.map((partition) => ({
    append: async (messages) => {
      await partition.append(messages);
      appended += messages.length;
    },
    // The threads' frames go to the log as they are, as with the command's queues.
    appendFrames: async (frames, records) => {
      await (partition as LogQueue).appendFrames(frames, records);
      appended += records;
    },
    close: () => partition.close(),
  }));
  const collector = await startCollectorWorkers({ workers, queues, ...settings });
  return {
    url: collector.url,
    values: () => {
      const stats = partitions.map((p) => ('stats' in p ? (p as LogQueue).stats() : undefined));
      return { appended, syncs: stats.reduce((sum, s) => sum + (s?.syncs ?? 0), 0) };
    },
    stop: async () => {
      await collector.close();
      await Promise.all(partitions.map((partition) => partition.close()));
    },
  };
});

/** A metric's one sample (no labels) in a Prometheus text body. */
function metricValue(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`/metrics has no ${name}`);
  return Number(line.slice(name.length + 1));
}
