// One shard of a consumer group, read like the embedded log: entries in increasing position
// (the stream sequence), acknowledgements in any order, and after a takeover reading resumes
// at the first entry not acknowledged. JetStream alone does not give that order: unacknowledged
// messages come back after `ack_wait`, after newer ones, possibly to another client. So:
// - the owner (one at a time, see shard-lease.ts) starts a new consumer generation at the ack
//   floor (stream-setup.ts), so its first deliveries are in stream order;
// - a delivery whose sequence is at or below the last one accepted is a redelivery of an entry
//   the forwarder still holds (or has acknowledged): it is not handed out again;
// - a gap in the delivery sequence means deliveries were lost on the way (reconnect, node
//   failure); the next generation restarts at the ack floor, entries still held are matched by
//   sequence, and reading goes on after the last entry handed out;
// - acknowledgements use AckAll on the last entry of the contiguous acknowledged prefix, so
//   the server's ack floor is always "everything up to here is in the store".

import type {
  ConsumerMessages,
  JetStreamClient,
  JetStreamManager,
  JsMsg,
} from '@nats-io/jetstream';
import { decodeMessage } from '../message-codec.js';
import type { QueueConsumer, QueueEntry } from '../queue.js';
import type { ResolvedNatsQueueOptions } from './nats-options.js';
import { createGeneration, listGenerations } from './stream-setup.js';

export interface ShardConsumerDeps {
  jsm: JetStreamManager;
  js: JetStreamClient;
  options: ResolvedNatsQueueOptions;
  group: string;
  shard: number;
  /** Told about failures that are retried (generation changes, acknowledgements). */
  onError?: (error: unknown) => void;
  /** Messages per pull request (default 1,000; tests use 1 to interleave another client). */
  pullBatch?: number;
}

/** Counters for tests and monitoring. */
export interface ShardConsumerStats {
  /** Consumer generations started by this owner (1 plus one per gap recovery). */
  generations: number;
  /** Deliveries of entries already handed out, ignored. */
  redeliveriesIgnored: number;
  /** Gaps in the delivery sequence that made a new generation. */
  gaps: number;
}

interface Held {
  seq: number;
  msg: JsMsg;
  /** The generation `msg` came from: only a current handle can acknowledge. */
  generation: number;
  acked: boolean;
}

/** Messages pulled per request: the client refills when half are processed. */
const PULL_BATCH = 1_000;
const ACK_TIMEOUT_MS = 10_000;
const RESET_RETRY_MS = 500;

/**
 * Takes a shard over: starts a new generation at the group's ack floor for the shard and
 * deletes the older ones. Call only while holding the shard's lease.
 */
export async function openShardConsumer(deps: ShardConsumerDeps): Promise<ShardConsumer> {
  const generations = await listGenerations(deps.jsm, deps.options, deps.group, deps.shard);
  const floor = Math.max(0, ...generations.map((g) => g.floor));
  const consumer = new ShardConsumer(deps, floor);
  await consumer.startGeneration(generations);
  return consumer;
}

/** A shard consumer; see the module comment. Create it with `openShardConsumer`. */
export class ShardConsumer implements QueueConsumer {
  readonly #deps: ShardConsumerDeps;
  readonly #stats: ShardConsumerStats = { generations: 0, redeliveriesIgnored: 0, gaps: 0 };
  /** Accepted entries not yet covered by the ack floor, in sequence order. */
  readonly #held: Held[] = [];
  readonly #bySeq = new Map<number, Held>();
  /** Accepted entries not yet returned by `read`. */
  #ready: QueueEntry[] = [];
  #committed: number;
  #lastAccepted: number;
  /** The generation deliveries are accepted from; -1 while a new one is being started. */
  #generation = -1;
  #lastGeneration = -1;
  #expectedDelivery = 1;
  #acking: Promise<unknown> = Promise.resolve();
  #messages: ConsumerMessages | undefined;
  #resetting: Promise<void> | undefined;
  #failure: unknown;
  #committing: Promise<void> = Promise.resolve();
  #waiters: Array<() => void> = [];
  #closed = false;

  constructor(deps: ShardConsumerDeps, floor: number) {
    this.#deps = deps;
    this.#committed = floor;
    this.#lastAccepted = floor;
  }

  get shard(): number {
    return this.#deps.shard;
  }

  /** Highest stream sequence known to be acknowledged: a takeover resumes after it. */
  get committed(): number {
    return this.#committed;
  }

  stats(): ShardConsumerStats {
    return { ...this.#stats };
  }

  async read(max: number, waitMs: number): Promise<QueueEntry[]> {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer`);
    const deadline = Date.now() + Math.max(0, waitMs);
    while (this.#ready.length === 0 && !this.#closed) {
      if (this.#failure !== undefined) throw this.#failure;
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      await this.#wait(remaining);
    }
    if (this.#closed) throw new Error(`shard ${this.shard} consumer is closed`);
    return this.#ready.length <= max ? this.#ready.splice(0) : this.#ready.splice(0, max);
  }

  async ack(entries: readonly QueueEntry[]): Promise<void> {
    if (this.#closed) throw new Error(`shard ${this.shard} consumer is closed`);
    for (const entry of entries) {
      const held = this.#bySeq.get(entry.position);
      if (held) held.acked = true;
      else if (entry.position > this.#committed) {
        throw new RangeError(`cannot ack position ${entry.position}: it was not read`);
      }
    }
    const commit = this.#committing.catch(() => undefined).then(() => this.#commitAcked());
    this.#committing = commit;
    await commit;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake();
    await this.#committing.catch(() => undefined);
    await this.#resetting;
    await this.#messages?.close().catch(() => undefined);
  }

  /** Creates the next generation at the ack floor, deletes `older`, and starts pulling. */
  async startGeneration(older: readonly { name: string; generation: number }[]): Promise<void> {
    const { jsm, js, options, group, shard } = this.#deps;
    const generation = Math.max(this.#lastGeneration, ...older.map((g) => g.generation)) + 1;
    this.#lastGeneration = generation;
    const name = await createGeneration(
      jsm,
      options,
      group,
      shard,
      generation,
      this.#committed + 1,
    );
    for (const old of older) {
      if (old.name === name) continue;
      await jsm.consumers.delete(options.stream, old.name).catch(() => undefined);
    }
    this.#generation = generation;
    this.#expectedDelivery = 1;
    this.#stats.generations++;
    const consumer = await js.consumers.get(options.stream, name);
    const messages = await consumer.consume({
      max_messages: Math.min(this.#deps.pullBatch ?? PULL_BATCH, options.maxAckPending),
      abort_on_missing_resource: true,
      callback: (msg) => this.#onMessage(generation, msg),
    });
    this.#messages = messages;
    // Pulling stopped without close(): the consumer vanished or the client gave up.
    void messages.closed().then((result) => {
      if (!this.#closed && this.#generation === generation) {
        this.#startOver(result instanceof Error ? result : new Error('consumer stopped'));
      }
    });
  }

  #onMessage(generation: number, msg: JsMsg): void {
    if (generation !== this.#generation || this.#closed) return;
    const delivery = msg.info.deliverySequence;
    if (delivery !== this.#expectedDelivery) {
      this.#stats.gaps++;
      this.#startOver(
        new Error(
          `shard ${this.shard}: delivery ${delivery} arrived, ${this.#expectedDelivery} expected`,
        ),
      );
      return;
    }
    this.#expectedDelivery++;
    const seq = msg.seq;
    if (seq <= this.#lastAccepted) {
      const held = this.#bySeq.get(seq);
      if (held && held.generation !== generation) {
        // Replayed by a new generation: its handle can acknowledge, the old one cannot.
        held.msg = msg;
        held.generation = generation;
        this.#wake();
      } else {
        this.#stats.redeliveriesIgnored++;
      }
      return;
    }
    // The body is copied: the forwarder keeps entries for minutes.
    const message = decodeMessage(Buffer.from(msg.data));
    const held: Held = { seq, msg, generation, acked: false };
    this.#held.push(held);
    this.#bySeq.set(seq, held);
    this.#ready.push({ ...message, position: seq });
    this.#lastAccepted = seq;
    this.#wake();
  }

  /** Acknowledges the contiguous acknowledged prefix, waiting for replayed handles if needed. */
  async #commitAcked(): Promise<void> {
    const deadline = Date.now() + ACK_TIMEOUT_MS;
    for (;;) {
      let end = 0;
      while (end < this.#held.length && this.#held[end]!.acked) end++;
      if (end === 0) return;
      // Only the current generation's handles count; replays arrive in order, so they form a prefix.
      let target = end - 1;
      while (target >= 0 && this.#held[target]!.generation !== this.#generation) target--;
      if (target < 0) {
        if (this.#closed) throw new Error(`shard ${this.shard} consumer is closed`);
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new Error(`shard ${this.shard}: acknowledgement timed out`);
        await this.#wait(remaining);
        continue;
      }
      const held = this.#held[target]!;
      let confirmed = false;
      const acking = held.msg.ackAck({ timeout: ACK_TIMEOUT_MS });
      this.#acking = acking.catch(() => undefined);
      try {
        confirmed = await acking;
      } catch (error) {
        this.#deps.onError?.(error);
      }
      if (!confirmed) {
        // A handle acknowledges once; the server may or may not have it. A new generation
        // replays the held entries with fresh handles.
        this.#startOver(new Error(`shard ${this.shard}: acknowledgement of ${held.seq} failed`));
        throw new Error(`shard ${this.shard}: acknowledgement of ${held.seq} not confirmed`);
      }
      this.#committed = held.seq;
      for (const done of this.#held.splice(0, target + 1)) this.#bySeq.delete(done.seq);
    }
  }

  /** Starts a new generation at the ack floor (retried until it works or the consumer closes). */
  #startOver(reason: Error): void {
    if (this.#resetting || this.#closed) return;
    this.#deps.onError?.(reason);
    const previous = this.#messages;
    this.#messages = undefined;
    this.#generation = -1;
    this.#resetting = (async () => {
      await previous?.close().catch(() => undefined);
      // The new generation starts after the floor: let an acknowledgement on its way land first.
      await this.#acking;
      while (!this.#closed) {
        try {
          const { jsm, options, group, shard } = this.#deps;
          await this.startGeneration(await listGenerations(jsm, options, group, shard));
          this.#failure = undefined;
          break;
        } catch (error) {
          this.#failure = error;
          this.#deps.onError?.(error);
          await new Promise((resolve) => setTimeout(resolve, RESET_RETRY_MS));
        }
      }
    })().finally(() => {
      this.#resetting = undefined;
      this.#wake();
    });
  }

  #wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#waiters.push(done);
    });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
