// Forwarding whatever queue QUEUE_URL opened: one forwarder on a single consumer (embedded
// log, memory, one-shard stream), or for a sharded JetStream stream one forwarder per shard
// this process owns, with shards shared among all forwarder processes (runShardWorkers).

import {
  createForwarder,
  type ForwarderOptionsInput,
  gzipLevel6,
  startForwarder,
} from '@sluice/forwarder';
import { type NatsQueue, type Queue, runShardWorkers, type ShardRunnerEvent } from '@sluice/queue';
import type { ObjectStore } from '@sluice/store';

export interface QueueForwarding {
  /** Uploads and acknowledges everything held, then gives the shards (if any) back. */
  stop(): Promise<void>;
  /** Shards owned now (sharded JetStream only). */
  owned(): number[];
  /**
   * Rejects when forwarding ended by itself, on an error no retry fixes (e.g. the queue gave
   * its entries to another forwarder): the process should exit and be restarted.
   */
  done: Promise<void>;
  /** Why forwarding is impossible right now (calls failing and retried), if it is. */
  notForwarding?: () => string | undefined;
}

export function isNatsQueue(queue: Queue): queue is NatsQueue {
  return typeof (queue as Partial<NatsQueue>).openShard === 'function';
}

export async function startQueueForwarding(start: {
  queue: Queue;
  store: ObjectStore;
  options?: ForwarderOptionsInput;
  /** Consumer group (and checkpoint prefix). Default 'forwarder'. */
  group?: string;
  /** Local state of the single forwarder (its dedup index); see startForwarder. */
  stateDir?: string;
  /** Permissions of what is written in `stateDir`. Default owner-only. */
  stateModes?: { fileMode: number; dirMode: number };
  onShardEvent?: (event: ShardRunnerEvent) => void;
}): Promise<QueueForwarding> {
  const group = start.group ?? 'forwarder';
  const { queue, store } = start;
  if (!isNatsQueue(queue) || queue.options.shards === 1) {
    const forwarder = await startForwarder({
      queue,
      store,
      consumerName: group,
      options: start.options,
      stateDir: start.stateDir,
      stateModes: start.stateModes,
    });
    const notForwarding = () => {
      const stats = forwarder.stats();
      return stats.retrying ? `the forwarder is failing: ${stats.lastError}` : undefined;
    };
    return { stop: () => forwarder.stop(), owned: () => [0], done: forwarder.done, notForwarding };
  }
  const runner = await runShardWorkers({
    queue,
    group,
    onEvent: start.onShardEvent,
    startWorker(consumer, shard) {
      // Each shard has its own checkpoint: its watermarks follow that shard's positions only.
      const forwarder = createForwarder({
        consumer,
        store,
        compress: gzipLevel6,
        consumerName: shard.checkpointName,
        options: start.options,
        onError: (error, during) =>
          console.error(
            `sluice forwarder shard ${shard.shard}: ${during} failed, retrying: ${String(error)}`,
          ),
      });
      const controller = new AbortController();
      const done = forwarder.run(controller.signal);
      return { stop: () => forwarder.stop(), abort: () => controller.abort(), done };
    },
  });
  // The runner gives a failed shard back and takes it again later: it never ends by itself.
  return { stop: () => runner.stop(), owned: () => runner.owned(), done: new Promise(() => {}) };
}
