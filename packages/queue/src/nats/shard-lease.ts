// Leases in a JetStream key-value bucket: who owns which shard of a consumer group, and who
// is alive. The bucket's max age is the lease TTL (nats-server 2.9 has no per-key TTL), so a
// key not renewed within it disappears and `create` succeeds for the next owner. Renewals
// compare the revision, so an owner that lost its key cannot renew it over a new owner's.

import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { nanos, type ResolvedNatsQueueOptions } from './nats-options.js';

/** A held lease: the key and the revision our last write got. */
export interface Lease {
  key: string;
  revision: number;
  /** Local time (ms) the last successful write was sent: the owner's deadline counts from it. */
  renewedAt: number;
}

export interface LeaseBucket {
  /** Takes `key` if nobody holds it; undefined when someone does. */
  acquire(key: string, owner: string): Promise<Lease | undefined>;
  /** Extends a lease; rejects when it was lost (expired and maybe taken). */
  renew(lease: Lease, owner: string): Promise<void>;
  /** Gives a lease up at once, if it is still ours. */
  release(lease: Lease): Promise<void>;
  /** Writes a liveness key (no ownership). */
  heartbeat(key: string, owner: string): Promise<void>;
  /** Keys that exist under `prefix` (e.g. the live members). */
  keys(filter: string): Promise<string[]>;
  remove(key: string): Promise<void>;
}

/** Opens (or creates) the lease bucket of a stream. */
export async function openLeaseBucket(
  nc: NatsConnection,
  options: ResolvedNatsQueueOptions,
): Promise<LeaseBucket> {
  const name = `${options.stream}_leases`;
  const kvm = new Kvm(nc);
  let kv: KV;
  try {
    kv = await kvm.create(name, {
      ttl: options.leaseTtlMs,
      history: 1,
      replicas: options.replicas,
    });
  } catch {
    kv = await kvm.open(name);
  }
  const encode = (owner: string) => new TextEncoder().encode(owner);
  return {
    async acquire(key, owner) {
      const sentAt = Date.now();
      try {
        return { key, revision: await kv.create(key, encode(owner)), renewedAt: sentAt };
      } catch (error) {
        // "wrong last sequence": someone holds it. Anything else is a real failure.
        if (/wrong last sequence|key exists/i.test(String(error))) return undefined;
        throw error;
      }
    },
    async renew(lease, owner) {
      const sentAt = Date.now();
      lease.revision = await kv.update(lease.key, encode(owner), lease.revision);
      lease.renewedAt = sentAt;
    },
    async release(lease) {
      await kv.delete(lease.key, { previousSeq: lease.revision }).catch(() => undefined);
    },
    async heartbeat(key, owner) {
      await kv.put(key, encode(owner));
    },
    keys: (filter) => liveKeys(nc, name, filter),
    async remove(key) {
      await kv.delete(key).catch(() => undefined);
    },
  };
}

/**
 * The keys under `filter` that hold a value (not deleted). Not `kv.keys()`: @nats-io/kv 3.4
 * leaves the consumer it reads through on the server for as long as the connection lives
 * (15 calls, 15 consumers 12 s later, nats-server 2.9.10), and the shard runner asks every
 * quarter lease. This reads the same last-per-subject headers and deletes its consumer.
 */
async function liveKeys(nc: NatsConnection, bucket: string, filter: string): Promise<string[]> {
  const stream = `KV_${bucket}`;
  const prefix = `$KV.${bucket}.`;
  const jsm = await jetstreamManager(nc);
  const info = await jsm.consumers.add(stream, {
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.LastPerSubject,
    filter_subject: `${prefix}${filter}`,
    headers_only: true,
    mem_storage: true,
    // Reclaimed by the server if this process dies before it deletes it.
    inactive_threshold: nanos(30_000),
  });
  const found: string[] = [];
  try {
    let left = info.num_pending;
    const consumer = await jetstream(nc).consumers.get(stream, info.name);
    while (left > 0) {
      let got = 0;
      for await (const m of await consumer.fetch({ max_messages: left, expires: 2_000 })) {
        got++;
        left = m.info.pending;
        const op = m.headers?.get('KV-Operation');
        if (op !== 'DEL' && op !== 'PURGE') found.push(m.subject.slice(prefix.length));
        if (left === 0) break;
      }
      if (got === 0) break;
    }
  } finally {
    await jsm.consumers.delete(stream, info.name).catch(() => undefined);
  }
  return found;
}
