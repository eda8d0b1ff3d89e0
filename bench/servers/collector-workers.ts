// The collector of `sluice collector --workers N`: N collector threads sharing the port
// (SO_REUSEPORT), worker i appending to log partition i, which this (main) thread writes with
// fdatasync per group commit, as the command does. Counts what reached the partitions, so the
// harness checks every acknowledged event was taken.

import { startCollectorWorkers } from '@sluice/collector';
import type { LogQueue, QueueProducer } from '@sluice/queue';
import { fileModes } from '../../apps/cli/src/lib/file-modes.js';
import { openWorkerQueues } from '../../apps/cli/src/lib/log-partitions.js';
import { BENCH_COLLECTOR_CONFIG } from './bench-source.js';
import { runChild } from './child-runtime.js';

export interface CollectorWorkersChildConfig {
  /** The log's directory: partition 0, and w1, w2, ... beside its segments. */
  queueDir: string;
  workers: number;
  /** The log's durability: fdatasync per group commit (the default) or none. */
  durability: 'fsync' | 'none';
}

runChild<CollectorWorkersChildConfig>(async ({ queueDir, workers, durability }) => {
  const url = `log:${queueDir}?durability=${durability}`;
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
  const collector = await startCollectorWorkers({
    workers,
    queues,
    port: 0,
    host: '127.0.0.1',
    config: BENCH_COLLECTOR_CONFIG,
    logLevel: 'info', // as startCollector's default logger in the one-process collector
  });
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
