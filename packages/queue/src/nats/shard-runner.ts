// Runs one worker (a forwarder) per shard this process owns, and shares the shards of a
// consumer group among all live processes: each takes free shards up to its fair share
// (shards / live members, rounded up), gives extra ones back when others join, and takes a
// dead member's shards once their leases expired. A shard's worker gets the shard's consumer
// and its own checkpoint name, so its files and watermarks behave as with the embedded log.

import type { QueueConsumer } from '../queue.js';
import type { NatsQueue } from './nats-queue.js';
import type { ShardConsumer } from './shard-consumer.js';
import type { Lease, LeaseBucket } from './shard-lease.js';
import { shardOf } from './shard-of.js';

/** A running worker; `startWorker` returns it. */
export interface ShardWorker {
  /** Graceful: upload and acknowledge everything held, then resolve. */
  stop(): Promise<void>;
  /** At once, like a crash: upload nothing more (the lease is gone; another owner re-reads). */
  abort(): void;
  /** Settles when the worker ends by itself (an error) or after stop/abort. */
  done: Promise<void>;
}

export interface ShardRunnerOptions {
  queue: NatsQueue;
  /** The consumer group, e.g. 'forwarder'. */
  group: string;
  /** Starts the worker of a shard (e.g. `createForwarder` with `consumerName: checkpointName`). */
  startWorker(
    consumer: QueueConsumer,
    shard: { shard: number; checkpointName: string },
  ): ShardWorker | Promise<ShardWorker>;
  /** Most shards this process takes (default: no limit beyond its fair share). */
  maxShards?: number;
  /** Told what happens: shards taken, released, lost, and retried failures. */
  onEvent?(event: ShardRunnerEvent): void;
}

export type ShardRunnerEvent =
  | { type: 'acquired' | 'released' | 'lost'; shard: number }
  | { type: 'error'; shard?: number; error: unknown };

export interface ShardRunner {
  readonly instanceId: string;
  /** Shards this process owns now. */
  owned(): number[];
  /** Stops every worker gracefully, gives the leases back and leaves the group. */
  stop(): Promise<void>;
}

interface Owned {
  shard: number;
  lease: Lease;
  consumer: ShardConsumer;
  worker: ShardWorker;
  releasing?: boolean;
}

/** The checkpoint name of a shard's forwarder. */
export function shardCheckpointName(group: string, shard: number): string {
  return `${group}-shard-${shard}`;
}

/** Joins the group and starts balancing; see the module comment. */
export async function runShardWorkers(options: ShardRunnerOptions): Promise<ShardRunner> {
  const { queue, group } = options;
  const { shards, leaseTtlMs } = queue.options;
  await queue.ensureGroup(group);
  const bucket: LeaseBucket = await queue.leases();
  const instanceId = crypto.randomUUID();
  const memberKey = `${group}.member.${instanceId}`;
  const owned = new Map<number, Owned>();
  /** Shards this process lost: not taken again until an old worker's last upload is surely over. */
  const coolingUntil = new Map<number, number>();
  const report = (event: ShardRunnerEvent) => options.onEvent?.(event);
  let stopping = false;
  let balancing: Promise<void> = Promise.resolve();

  async function renew(): Promise<void> {
    await bucket
      .heartbeat(memberKey, instanceId)
      .catch((error) => report({ type: 'error', error }));
    await Promise.all(
      [...owned.values()].map((entry) =>
        bucket
          .renew(entry.lease, instanceId)
          .catch((error) => report({ type: 'error', shard: entry.shard, error })),
      ),
    );
  }

  /** Stops working on shards whose lease may have expired: another owner may start any moment. */
  function fence(): void {
    const now = Date.now();
    for (const entry of owned.values()) {
      if (now - entry.lease.renewedAt <= leaseTtlMs / 2) continue;
      owned.delete(entry.shard);
      entry.worker.abort();
      void entry.consumer.close().catch(() => undefined);
      coolingUntil.set(entry.shard, now + leaseTtlMs);
      report({ type: 'lost', shard: entry.shard });
    }
  }

  async function release(entry: Owned): Promise<void> {
    if (entry.releasing) return;
    entry.releasing = true;
    // Still owned (and renewed) while the worker uploads what it holds.
    await entry.worker
      .stop()
      .catch((error) => report({ type: 'error', shard: entry.shard, error }));
    if (owned.get(entry.shard) !== entry) return; // fenced meanwhile: the lease is not ours
    owned.delete(entry.shard);
    await entry.consumer.close().catch(() => undefined);
    await bucket.release(entry.lease);
    report({ type: 'released', shard: entry.shard });
  }

  async function take(shard: number): Promise<void> {
    const lease = await bucket.acquire(`${group}.shard.${shard}`, instanceId);
    if (!lease) return;
    let consumer: ShardConsumer | undefined;
    try {
      consumer = await queue.openShard(group, shard, (error) =>
        report({ type: 'error', shard, error }),
      );
      const worker = await options.startWorker(consumer, {
        shard,
        checkpointName: shardCheckpointName(group, shard),
      });
      const entry: Owned = { shard, lease, consumer, worker };
      owned.set(shard, entry);
      report({ type: 'acquired', shard });
      // A worker that ends by itself (an unrecoverable error) frees its shard for a retry.
      worker.done.then(
        () => {
          if (owned.get(shard) === entry && !stopping) void release(entry);
        },
        (error) => {
          report({ type: 'error', shard, error });
          if (owned.get(shard) === entry && !stopping) void release(entry);
        },
      );
    } catch (error) {
      report({ type: 'error', shard, error });
      await consumer?.close().catch(() => undefined);
      await bucket.release(lease);
    }
  }

  async function balance(): Promise<void> {
    const members = Math.max(1, (await bucket.keys(`${group}.member.*`)).length);
    const target = Math.min(options.maxShards ?? shards, Math.ceil(shards / members));
    const extra = [...owned.values()].filter((entry) => !entry.releasing).slice(target);
    for (const entry of extra) if (!stopping) await release(entry);
    // Start at a different shard in each process, so they rarely race for the same one.
    const offset = shardOf(instanceId, shards);
    for (let i = 0; i < shards && owned.size < target && !stopping; i++) {
      const shard = (offset + i) % shards;
      if (owned.has(shard) || (coolingUntil.get(shard) ?? 0) > Date.now()) continue;
      await take(shard);
    }
  }

  function tick(): void {
    void renew().then(fence);
    balancing = balancing.then(() =>
      stopping ? undefined : balance().catch((error) => report({ type: 'error', error })),
    );
  }

  await bucket.heartbeat(memberKey, instanceId);
  tick();
  const timer = setInterval(tick, leaseTtlMs / 4);
  const fenceTimer = setInterval(fence, Math.max(50, leaseTtlMs / 20));

  return {
    instanceId,
    owned: () => [...owned.keys()].sort((a, b) => a - b),
    async stop() {
      if (stopping) return;
      stopping = true;
      clearInterval(timer);
      await balancing;
      await Promise.all([...owned.values()].map(release));
      clearInterval(fenceTimer);
      await bucket.remove(memberKey);
    },
  };
}
