// The collector under test, in one durability mode: the embedded log with fdatasync per group
// commit (at-least-once, the default), the log without fdatasync, or the memory queue
// (at-most-once). Counts what reached the queue, so the harness checks every event was taken.
import { startCollector } from '@sluice/collector';
import {
  createMemoryQueue,
  type LogQueue,
  openLogQueue,
  type Queue,
  type QueueProducer,
} from '@sluice/queue';
import { BENCH_COLLECTOR_CONFIG } from './bench-source.js';
import { runChild } from './child-runtime.js';
import { watchLoopStalls } from './loop-stalls.js';

/** The durability modes the benchmark compares. */
export type CollectorMode = 'fsync' | 'none' | 'memory';

export interface CollectorChildConfig {
  mode: CollectorMode;
  /** The log's directory (modes 'fsync' and 'none'). */
  queueDir: string;
}

runChild<CollectorChildConfig>(async ({ mode, queueDir }) => {
  const log: LogQueue | undefined =
    mode === 'memory' ? undefined : await openLogQueue({ dir: queueDir, durability: mode });
  const inner: Queue = log ?? createMemoryQueue();
  let appended = 0;
  const queue: QueueProducer = {
    append: async (messages) => {
      await inner.append(messages);
      appended += messages.length;
    },
    close: () => inner.close(),
  };
  // The memory queue holds what no consumer has acknowledged: without one it would grow for
  // the whole run. Here a consumer acknowledges every entry at once, as a forwarder that keeps
  // up would (the log modes keep their entries on disk, so they need none).
  let draining: Promise<void> | undefined;
  let stopping = false;
  if (!log) {
    const consumer = await inner.consumer('bench-drain');
    draining = (async () => {
      while (!stopping) {
        const entries = await consumer.read(10_000, 50);
        if (entries.length > 0) await consumer.ack(entries);
      }
    })();
  }
  const collector = await startCollector({ queue, config: BENCH_COLLECTOR_CONFIG });
  const stalls = watchLoopStalls();
  return {
    url: collector.url,
    values: () => {
      const stats = log?.stats();
      // The commit-duration buckets as commit_0, commit_1, ... (values are flat numbers).
      const commits = Object.fromEntries(
        (stats?.commitMs ?? []).map((count, i) => [`commit_${i}`, count]),
      );
      // The stalls are since the previous read: the harness reads before and after each run.
      const sinceLastRead = stalls.sinceLastRead();
      return {
        appended,
        syncs: stats?.syncs ?? 0,
        writes: stats?.writes ?? 0,
        ...commits,
        ...sinceLastRead,
      };
    },
    stop: async () => {
      await collector.close();
      stopping = true;
      await draining;
      await queue.close();
    },
  };
});
