// Forwarding whatever queue was opened: one forwarder on a single consumer (embedded log,
// memory, a one-shard stream), or for a sharded JetStream stream one forwarder per shard this
// process owns, the shards shared among all forwarder processes (runShardWorkers). Either way
// each forwarder is assembled the same (assemble-forwarder.ts): with `stateDir`, a shard's
// dedup index is `<stateDir>/dedup/<group>-shard-<n>`, so a shard taken again on this machine
// (after a restart, or by another process sharing the directory) still knows its stored ids.

import {
  type NatsQueue,
  type QueueSource,
  runShardWorkers,
  type ShardRunnerEvent,
} from '@sluice/queue';
import { assembleForwarder, type ForwarderSetup } from './assemble-forwarder.js';
import type { Forwarder } from './forwarder.js';
import { startForwarder } from './node.js';
import { parseForwarderOptions } from './options.js';
import { startPartitionForwarders } from './start-partition-forwarders.js';
import type { ForwarderStats } from './stats.js';

/** How long calls may fail in a row before the process stops saying it is ready (default). */
export const DEFAULT_UNREADY_AFTER_MS = 30_000;

export interface StartForwardingOptions extends ForwarderSetup {
  queue: QueueSource;
  /**
   * The partitions of the embedded log when collectors run as workers (`--workers N`),
   * partition 0 first; `queue` is then ignored. One forwarder each, sharing the dedup window
   * (start-partition-forwarders.ts).
   */
  logPartitions?: readonly QueueSource[];
  /** Consumer group (and checkpoint prefix). Default 'forwarder'. */
  group?: string;
  /** Told when shards are acquired, released or lost, and about retried failures. */
  onShardEvent?: (event: ShardRunnerEvent) => void;
  /**
   * `notForwarding` reports a reason once store or queue calls have failed without a success
   * for this long (default DEFAULT_UNREADY_AFTER_MS; 0: at the first failure).
   */
  unreadyAfterMs?: number;
}

export interface Forwarding {
  /** Uploads and acknowledges everything held, then gives the shards (if any) back. */
  stop(): Promise<void>;
  /** Shards owned now (sharded JetStream only; otherwise [0]). */
  owned(): number[];
  /**
   * Rejects when forwarding ended by itself, on an error no retry fixes (e.g. the queue gave
   * its entries to another forwarder): the process should exit and be restarted.
   */
  done: Promise<void>;
  /**
   * Why forwarding is impossible right now: calls have failed (and been retried) for
   * `unreadyAfterMs` without a success.
   */
  notForwarding(): string | undefined;
  /** The stats of each forwarder running here (one per owned shard). */
  stats(): ForwarderStats[];
}

export function isNatsQueue(queue: QueueSource): queue is NatsQueue {
  return typeof (queue as Partial<NatsQueue>).openShard === 'function';
}

/** Starts forwarding `queue` into `store` in the background; see the module comment. */
export async function startForwarding(start: StartForwardingOptions): Promise<Forwarding> {
  const group = start.group ?? 'forwarder';
  const { queue } = start;
  // Bad options fail here, before any shard is taken.
  parseForwarderOptions(start.options);
  const now = start.now ?? Date.now;
  const unreadyAfterMs = start.unreadyAfterMs ?? DEFAULT_UNREADY_AFTER_MS;
  const notForwardingOf = (all: ForwarderStats[]) => () => {
    for (const stats of all) {
      const since = stats.failingSince;
      if (since !== undefined && now() - since >= unreadyAfterMs) {
        const seconds = Math.round((now() - since) / 1000);
        return `the forwarder has been failing for ${seconds} s: ${stats.lastError}`;
      }
    }
    return undefined;
  };
  if (start.logPartitions && start.logPartitions.length > 1) {
    const partitions = await startPartitionForwarders(start.logPartitions, group, start);
    const stats = () => partitions.forwarders.map((forwarder) => forwarder.stats());
    return {
      stop: () => partitions.stop(),
      owned: () => partitions.forwarders.map((_, i) => i),
      done: partitions.done,
      notForwarding: () => notForwardingOf(stats())(),
      stats,
    };
  }
  if (!isNatsQueue(queue) || queue.options.shards === 1) {
    const forwarder = await startForwarder({ ...start, consumerName: group });
    const stats = () => [forwarder.stats()];
    return {
      stop: () => forwarder.stop(),
      owned: () => [0],
      done: forwarder.done,
      notForwarding: () => notForwardingOf(stats())(),
      stats,
    };
  }
  const running = new Set<Forwarder>();
  const runner = await runShardWorkers({
    queue,
    group,
    onEvent: start.onShardEvent,
    async startWorker(consumer, shard) {
      // Each shard has its own checkpoint: its watermarks follow that shard's positions only.
      const { forwarder, close } = await assembleForwarder(consumer, shard.checkpointName, start);
      const controller = new AbortController();
      running.add(forwarder);
      const done = forwarder
        .run(controller.signal)
        .finally(() => running.delete(forwarder))
        .finally(close);
      return {
        stop: () => forwarder.stop().finally(() => done.catch(() => undefined)),
        abort: () => controller.abort(),
        done,
      };
    },
  });
  // The runner gives a failed shard back and takes it again later: it never ends by itself.
  const stats = () => [...running].map((forwarder) => forwarder.stats());
  return {
    stop: () => runner.stop(),
    owned: () => runner.owned(),
    done: new Promise(() => {}),
    notForwarding: () => notForwardingOf(stats())(),
    stats,
  };
}
