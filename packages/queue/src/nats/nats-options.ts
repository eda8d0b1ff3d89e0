// The settings of the JetStream queue, with their defaults and why they are what they are.
// Checked by hand (this package has no zod): every message names the option and the range.

import { type NatsAuth, type NatsTls, resolveTls, takeUserInfo } from './nats-auth-options.js';

export type { NatsAuth, NatsTls };

/** Settings of `openNatsQueue`; only `servers` is required. */
export interface NatsQueueOptions {
  /**
   * Server URLs, e.g. `nats://10.0.0.1:4222,nats://10.0.0.2:4222` (a cluster's seed list).
   * `tls://` demands TLS. User info gives credentials: `nats://user:password@host` or
   * `nats://token@host` (percent-encoded); it is taken out of the URLs before they are used.
   */
  servers: string | readonly string[];
  /** Credentials, if not in the URLs. */
  auth?: NatsAuth;
  /** Demand TLS (`true`: with the system's CAs). Also demanded when a server URL is `tls://`. */
  tls?: boolean | NatsTls;
  /** Stream name. Default `SLUICE`. */
  stream?: string;
  /** Messages go to `<subjectPrefix>.<shard>`. Default `sluice.events`. */
  subjectPrefix?: string;
  /**
   * Number of shards: a message goes to shard `fnv1a(messageId) % shards`, each shard has its
   * own durable consumer per group, and one forwarder owns a shard at a time. More shards let
   * more forwarders work in parallel; each shard also cuts its own files, so every partition
   * gets up to `shards` files per rotation. Fixed once the stream exists. Default 4.
   */
  shards?: number;
  /** Stream (and consumer) replicas: 1 for one server, 3 for a cluster. Default 1. */
  replicas?: number;
  /**
   * Consumer groups whose durable consumers are created with the stream. The stream keeps a
   * message only while some consumer is interested (interest retention, so forwarded events
   * free their space): a group must exist before events arrive, or they are not kept for it.
   * Default `['forwarder']`.
   */
  consumerGroups?: readonly string[];
  /**
   * Publishing the same messageId twice within this window stores it once (`Nats-Msg-Id`).
   * It must cover the collector's publish retries and the tag's resends of one batch. Longer
   * windows cost server memory (one entry per message). Default 120 000 ms (NATS' own default).
   */
  duplicateWindowMs?: number;
  /**
   * Disk budget of the stream: bytes of events not yet forwarded. When reached, publishing
   * fails (discard policy `new`) and the collector answers 503: nothing already accepted is
   * dropped. Default -1 (bounded only by the server's JetStream limits).
   */
  maxBytes?: number;
  /** Oldest event kept even if no forwarder took it (ms; 0 = forever). Default 0. */
  maxAgeMs?: number;
  /**
   * How long the server waits for an acknowledgement before delivering a message again. The
   * forwarder holds events until their file is uploaded (`maxFileAgeMs`, 120 s by default), so
   * this is longer; a redelivery of an event still held is recognised and ignored anyway.
   * Default 300 000 ms.
   */
  ackWaitMs?: number;
  /**
   * Most events a shard's consumer delivers without acknowledgement. It caps how many events
   * a forwarder can buffer per shard, so keep it above `maxFileBytes / event size` or files are
   * cut by age before they reach their size. Default 200 000.
   */
  maxAckPending?: number;
  /**
   * How long `append` retries a publish (same messageId, so never twice) while the stream is
   * unavailable, e.g. during a leader election (about 6 s seen here), before it rejects and the
   * collector answers 503. Default 15 000 ms.
   */
  publishTimeoutMs?: number;
  /**
   * A shard's owner renews its lease every `leaseTtlMs / 4`, stops working on it (without
   * uploading) when no renewal succeeded for `leaseTtlMs / 2`, and another forwarder takes the
   * shard over once the lease expired. So this is the time a crashed forwarder's shards wait.
   * Default 15 000 ms (longer than a leader election, so elections do not move shards).
   */
  leaseTtlMs?: number;
  /**
   * Send the messageId as `Nats-Msg-Id` so the stream stores a resent event once (effectively
   * once). false gives plain at-least-once publishing, for comparison in the benchmarks only.
   * Default true.
   */
  deduplicate?: boolean;
  /** Connection name shown by the server's monitoring. */
  name?: string;
}

export type ResolvedNatsQueueOptions = Required<
  Omit<NatsQueueOptions, 'name' | 'servers' | 'auth' | 'tls'>
> & {
  /** Without user info. */
  servers: string[];
  name: string | undefined;
  auth: NatsAuth | undefined;
  /** undefined: plain TCP allowed (TLS still used when the server demands it). */
  tls: NatsTls | undefined;
};

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const SUBJECT = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** Applies defaults and checks ranges; throws a RangeError naming the first bad option. */
export function resolveNatsQueueOptions(options: NatsQueueOptions): ResolvedNatsQueueOptions {
  const listed = (
    typeof options.servers === 'string' ? options.servers.split(',') : [...options.servers]
  )
    .map((server) => server.trim())
    .filter((server) => server !== '');
  if (listed.length === 0) throw new RangeError('servers: give at least one nats:// URL');
  const { servers, auth } = takeUserInfo(listed, options.auth);
  const resolved: ResolvedNatsQueueOptions = {
    servers,
    auth,
    tls: resolveTls(servers, options.tls),
    stream: options.stream ?? 'SLUICE',
    subjectPrefix: options.subjectPrefix ?? 'sluice.events',
    shards: options.shards ?? 4,
    replicas: options.replicas ?? 1,
    consumerGroups: options.consumerGroups ?? ['forwarder'],
    duplicateWindowMs: options.duplicateWindowMs ?? 120_000,
    maxBytes: options.maxBytes ?? -1,
    maxAgeMs: options.maxAgeMs ?? 0,
    ackWaitMs: options.ackWaitMs ?? 300_000,
    maxAckPending: options.maxAckPending ?? 200_000,
    publishTimeoutMs: options.publishTimeoutMs ?? 15_000,
    leaseTtlMs: options.leaseTtlMs ?? 15_000,
    deduplicate: options.deduplicate ?? true,
    name: options.name,
  };
  if (!NAME.test(resolved.stream)) throw new RangeError(`stream: use letters, digits, - or _`);
  if (!SUBJECT.test(resolved.subjectPrefix)) {
    throw new RangeError(`subjectPrefix: dot-separated tokens of letters, digits, - or _`);
  }
  for (const group of resolved.consumerGroups) checkGroupName(group);
  checkInteger('shards', resolved.shards, 1, 1024);
  checkInteger('replicas', resolved.replicas, 1, 5);
  checkInteger('duplicateWindowMs', resolved.duplicateWindowMs, 100, 7 * 86_400_000);
  if (resolved.maxBytes !== -1)
    checkInteger('maxBytes', resolved.maxBytes, 1, Number.MAX_SAFE_INTEGER);
  checkInteger('maxAgeMs', resolved.maxAgeMs, 0, Number.MAX_SAFE_INTEGER);
  checkInteger('ackWaitMs', resolved.ackWaitMs, 1_000, 86_400_000);
  checkInteger('maxAckPending', resolved.maxAckPending, 1, 10_000_000);
  checkInteger('publishTimeoutMs', resolved.publishTimeoutMs, 0, 600_000);
  checkInteger('leaseTtlMs', resolved.leaseTtlMs, 1_000, 600_000);
  return resolved;
}

/** Consumer group names become parts of durable consumer names and KV keys. */
export function checkGroupName(group: string): void {
  if (!/^[A-Za-z0-9_]{1,48}$/.test(group)) {
    throw new RangeError(`consumer group "${group}": use letters, digits or _ (at most 48)`);
  }
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

/** Milliseconds to the nanoseconds JetStream's API speaks. */
export const nanos = (ms: number): number => ms * 1_000_000;
