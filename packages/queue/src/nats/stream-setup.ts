// Creates the stream and the consumer groups' durable consumers when missing, with the
// settings documented in nats-options.ts, and finds a shard consumer's generations.
//
// A shard's durable consumer is named `<group>-<shard>-<generation>`. Taking a shard over
// creates the next generation starting at the first unacknowledged message, then deletes the
// older ones: the new owner reads in stream order from there, like the embedded log after a
// restart, instead of getting the old owner's unacknowledged messages redelivered later and
// out of order. The start is kept in the description because JetStream reports an ack floor
// of 0 for a consumer that started mid-stream and acknowledged nothing yet.

import {
  AckPolicy,
  type ConsumerConfig,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos, type ResolvedNatsQueueOptions } from './nats-options.js';

const STREAM_NOT_FOUND = 10059;
const DESCRIPTION = /^sluice start_seq=(\d+)$/;

/** The subject of a shard. */
export function shardSubject(options: ResolvedNatsQueueOptions, shard: number): string {
  return `${options.subjectPrefix}.${shard}`;
}

/** Creates the stream if missing (else updates its limits) and checks its shard count. */
export async function ensureStream(
  jsm: JetStreamManager,
  options: ResolvedNatsQueueOptions,
): Promise<void> {
  const wanted: Partial<StreamConfig> & { name: string } = {
    name: options.stream,
    description: `sluice shards=${options.shards}`,
    subjects: [`${options.subjectPrefix}.*`],
    // Forwarded events are removed once every group acknowledged them: only the backlog
    // counts against max_bytes.
    retention: RetentionPolicy.Interest,
    storage: StorageType.File,
    // A full stream refuses new events (the collector answers 503) instead of dropping old ones.
    discard: DiscardPolicy.New,
    max_bytes: options.maxBytes,
    max_age: nanos(options.maxAgeMs),
    duplicate_window: nanos(options.duplicateWindowMs),
    num_replicas: options.replicas,
  };
  let existing: StreamConfig;
  try {
    existing = (await jsm.streams.info(options.stream)).config;
  } catch (error) {
    if (!(error instanceof JetStreamApiError) || error.code !== STREAM_NOT_FOUND) throw error;
    await jsm.streams.add(wanted);
    return;
  }
  if (existing.description !== wanted.description) {
    throw new Error(
      `stream ${options.stream} exists as "${existing.description ?? ''}", not with ${options.shards} shards: ` +
        'the shard count of a stream cannot change (use a new stream name)',
    );
  }
  if (
    existing.max_bytes !== wanted.max_bytes ||
    existing.max_age !== wanted.max_age ||
    existing.duplicate_window !== wanted.duplicate_window
  ) {
    await jsm.streams.update(options.stream, {
      max_bytes: wanted.max_bytes,
      max_age: wanted.max_age,
      duplicate_window: wanted.duplicate_window,
    });
  }
}

/** One generation of a shard's durable consumer. */
export interface ShardGeneration {
  name: string;
  shard: number;
  generation: number;
  /** Every message at or below it was acknowledged (uploaded) through this group. */
  floor: number;
}

/** The durable consumer's name for a generation. */
export function generationName(group: string, shard: number, generation: number): string {
  return `${group}-${shard}-${generation}`;
}

/** Lists the generations of a group's shard consumers (of one shard if given), oldest first. */
export async function listGenerations(
  jsm: JetStreamManager,
  options: ResolvedNatsQueueOptions,
  group: string,
  shard?: number,
): Promise<ShardGeneration[]> {
  const pattern = new RegExp(`^${group}-(\\d+)-(\\d+)$`);
  const found: ShardGeneration[] = [];
  for await (const info of await jsm.consumers.list(options.stream)) {
    const match = pattern.exec(info.name);
    if (!match || (shard !== undefined && Number(match[1]) !== shard)) continue;
    const start = Number(DESCRIPTION.exec(info.config.description ?? '')?.[1] ?? 1);
    found.push({
      name: info.name,
      shard: Number(match[1]),
      generation: Number(match[2]),
      floor: Math.max(info.ack_floor.stream_seq, start - 1),
    });
  }
  return found.sort((a, b) => a.generation - b.generation);
}

/** Creates a shard consumer generation that delivers from `startSeq` (1: the stream's start). */
export async function createGeneration(
  jsm: JetStreamManager,
  options: ResolvedNatsQueueOptions,
  group: string,
  shard: number,
  generation: number,
  startSeq: number,
): Promise<string> {
  const name = generationName(group, shard, generation);
  const config: Partial<ConsumerConfig> = {
    durable_name: name,
    description: `sluice start_seq=${startSeq}`,
    filter_subject: shardSubject(options, shard),
    // One acknowledgement covers every message before it: the adapter acknowledges only the
    // contiguous prefix the forwarder has uploaded, so the ack floor is the resume point.
    ack_policy: AckPolicy.All,
    ack_wait: nanos(options.ackWaitMs),
    max_ack_pending: options.maxAckPending,
    max_deliver: -1,
    ...(startSeq <= 1
      ? { deliver_policy: DeliverPolicy.All }
      : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSeq }),
  };
  await jsm.consumers.add(options.stream, config);
  return name;
}

/**
 * Makes sure every shard of `group` has a consumer, so the stream keeps events for the group
 * from now on. Safe to run from many processes at once (the same create twice is a no-op).
 */
export async function ensureGroup(
  jsm: JetStreamManager,
  options: ResolvedNatsQueueOptions,
  group: string,
): Promise<void> {
  const existing = new Set((await listGenerations(jsm, options, group)).map((g) => g.shard));
  for (let shard = 0; shard < options.shards; shard++) {
    if (!existing.has(shard)) await createGeneration(jsm, options, group, shard, 0, 1);
  }
}
