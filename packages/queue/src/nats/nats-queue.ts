// The JetStream queue: the scale-out Queue of sluice. Collectors append (publish with the
// messageId as Nats-Msg-Id); forwarders read shards of a consumer group (shard-consumer.ts),
// one owner per shard at a time (shard-lease.ts, shard-runner.ts).

import {
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  ConsumerLostError,
  type Queue,
  type QueueConsumer,
  type QueueEntry,
  type QueueMessage,
} from '../queue.js';
import { connectToNats } from './nats-connect.js';
import {
  checkGroupName,
  type NatsQueueOptions,
  type ResolvedNatsQueueOptions,
  resolveNatsQueueOptions,
} from './nats-options.js';
import { type PublishStats, publishMessages } from './nats-publisher.js';
import { openShardConsumer, type ShardConsumer } from './shard-consumer.js';
import { type LeaseBucket, openLeaseBucket } from './shard-lease.js';
import { ensureGroup, ensureStream } from './stream-setup.js';

export interface NatsQueue extends Queue {
  readonly options: ResolvedNatsQueueOptions;
  readonly connection: NatsConnection;
  /**
   * Takes one shard of a consumer group over (see shard-consumer.ts). The caller must hold
   * the shard's lease (`leases()`); `runShardWorkers` does all of that.
   */
  openShard(
    group: string,
    shard: number,
    onError?: (error: unknown) => void,
  ): Promise<ShardConsumer>;
  /** The lease bucket of this stream. */
  leases(): Promise<LeaseBucket>;
  /** Creates a group's durable consumers if missing: from then on the stream keeps events for it. */
  ensureGroup(group: string): Promise<void>;
  publishStats(): PublishStats;
  /** The server leading the stream now (clustered streams), for monitoring and fault tests. */
  streamLeader(): Promise<string | undefined>;
}

/**
 * Connects to NATS (with the credentials and TLS the options give), creates the stream and the consumer groups' durable consumers when
 * missing, and returns the queue. `consumer(name)` works for a one-shard stream (one forwarder
 * process); with more shards run the forwarders with `runShardWorkers`.
 */
export async function openNatsQueue(input: NatsQueueOptions): Promise<NatsQueue> {
  const options = resolveNatsQueueOptions(input);
  const nc = await connectToNats(options);
  let jsm: JetStreamManager;
  let js: JetStreamClient;
  try {
    jsm = await jetstreamManager(nc);
    js = jetstream(nc);
    await ensureStream(jsm, options);
    for (const group of options.consumerGroups) await ensureGroup(jsm, options, group);
  } catch (error) {
    await nc.close();
    throw error;
  }
  const stats: PublishStats = { stored: 0, duplicates: 0, retries: 0 };
  let leases: Promise<LeaseBucket> | undefined;
  const getLeases = () => {
    leases ??= openLeaseBucket(nc, options);
    leases.catch(() => {
      leases = undefined;
    });
    return leases;
  };
  const consumers = new Set<QueueConsumer>();
  let closed = false;

  const queue: NatsQueue = {
    options,
    connection: nc,
    async append(messages: readonly QueueMessage[]) {
      if (closed) throw new Error('nats queue is closed');
      if (messages.length > 0) await publishMessages(js, options, messages, stats);
    },
    async consumer(name: string) {
      if (closed) throw new Error('nats queue is closed');
      if (options.shards !== 1) {
        throw new Error(
          `stream ${options.stream} has ${options.shards} shards: run forwarders with runShardWorkers, or use shards=1`,
        );
      }
      const consumer = await openLeasedShardZero(queue, name);
      consumers.add(consumer);
      return consumer;
    },
    async openShard(group, shard, onError) {
      checkGroupName(group);
      if (!Number.isInteger(shard) || shard < 0 || shard >= options.shards) {
        throw new RangeError(`shard must be 0..${options.shards - 1}, got ${shard}`);
      }
      return openShardConsumer({ jsm, js, options, group, shard, onError });
    },
    leases: getLeases,
    ensureGroup: (group) => {
      checkGroupName(group);
      return ensureGroup(jsm, options, group);
    },
    publishStats: () => ({ ...stats }),
    async streamLeader() {
      return (await jsm.streams.info(options.stream)).cluster?.leader;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const consumer of consumers) await consumer.close().catch(() => undefined);
      await nc.drain().catch(() => nc.close());
    },
  };
  return queue;
}

/**
 * The one shard of a one-shard stream, under a lease renewed in the background. If the lease
 * is lost (no renewal for half its TTL), reads and acknowledgements fail from then on.
 */
async function openLeasedShardZero(queue: NatsQueue, group: string): Promise<QueueConsumer> {
  const { leaseTtlMs } = queue.options;
  await queue.ensureGroup(group);
  const bucket = await queue.leases();
  const owner = crypto.randomUUID();
  // A forwarder restarted after a crash waits for its predecessor's lease to expire.
  const deadline = Date.now() + 2 * leaseTtlMs;
  let lease = await bucket.acquire(`${group}.shard.0`, owner);
  while (!lease && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, leaseTtlMs / 4));
    lease = await bucket.acquire(`${group}.shard.0`, owner);
  }
  if (!lease) {
    throw new Error(
      `consumer group ${group} is read by another forwarder (a lease expires ${leaseTtlMs} ms after its owner stops)`,
    );
  }
  const shard = await queue.openShard(group, 0);
  let lost: Error | undefined;
  const timer = setInterval(() => {
    if (Date.now() - lease.renewedAt > leaseTtlMs / 2) {
      lost ??= new ConsumerLostError(
        `consumer group ${group}: lease lost, another forwarder may own it now`,
      );
      return;
    }
    bucket.renew(lease, owner).catch(() => undefined);
  }, leaseTtlMs / 4);
  const check = () => {
    if (lost) throw lost;
  };
  return {
    async read(max: number, waitMs: number): Promise<QueueEntry[]> {
      check();
      return shard.read(max, waitMs);
    },
    async ack(entries: readonly QueueEntry[]) {
      check();
      await shard.ack(entries);
    },
    async close() {
      clearInterval(timer);
      await shard.close();
      if (!lost) await bucket.release(lease);
    },
  };
}
