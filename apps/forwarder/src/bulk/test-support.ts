// Shared by the replay, import and DuckDB tests only (kept out of the published files).

import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { QueueMessage } from '@sluice/queue';
import { createFsStore, createS3Store, type ObjectStore } from '@sluice/store';
import { type S3Server, startS3Server } from '@sluice/store/testing';

/** The two real stores every bulk test runs against: a temp directory and s3rver. */
export interface StoreCase {
  name: 'fs' | 's3';
  /** A fresh, empty store: a new directory, or a new key prefix in the bucket. */
  create(): Promise<ObjectStore>;
  close(): Promise<void>;
}

/** A store factory per kind; call `close` once in `afterAll`. */
export function storeCases(): StoreCase[] {
  const dirs: string[] = [];
  let s3: Promise<S3Server> | undefined;
  let stores = 0;
  return [
    {
      name: 'fs',
      async create() {
        const root = await mkdtemp(join(tmpdir(), 'sluice-bulk-'));
        dirs.push(root);
        return createFsStore({ root });
      },
      async close() {
        await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
      },
    },
    {
      name: 's3',
      async create() {
        s3 ??= startS3Server();
        const server = await s3;
        // One server for the file; each store keeps its keys under a prefix of its own.
        return createS3Store({
          bucket: server.bucket,
          prefix: `store-${++stores}`,
          ...server.clientConfig,
        });
      },
      async close() {
        if (s3) await (await s3).close();
      },
    },
  ];
}

/** Every object under `prefix`, key -> bytes, in key order. */
export async function snapshot(store: ObjectStore, prefix = ''): Promise<Map<string, Buffer>> {
  const objects = new Map<string, Buffer>();
  for await (const { key } of store.list(prefix)) {
    const bytes = await store.get(key);
    if (!bytes) throw new Error(`listed ${key} but cannot get it`);
    objects.set(key, Buffer.from(bytes));
  }
  return objects;
}

/** Key -> sha256 of the bytes: compact to compare and to print in a failure. */
export function digests(objects: Map<string, Buffer>): Record<string, string> {
  return Object.fromEntries(
    [...objects].map(([key, bytes]) => [key, createHash('sha256').update(bytes).digest('hex')]),
  );
}

/** The lines of one gzip NDJSON object. */
export function linesOf(gz: Buffer): string[] {
  const text = gunzipSync(gz).toString('utf8');
  if (!text.endsWith('\n')) throw new Error('file does not end with a newline');
  return text.slice(0, -1).split('\n');
}

/** The 4-byte MTIME field of a gzip header (RFC 1952): 0 means "not set". */
export function gzipMtime(gz: Buffer): number {
  return gz.readUInt32LE(4);
}

const EVENT_NAMES = ['Signed Up', 'Order Completed', 'Page Viewed'] as const;

/**
 * A track event as the collector stores it, at `time`, and its queue message. The name cycles
 * through three so queries have something to count.
 */
export function trackMessage(
  n: number,
  time: number,
  overrides: { source?: string; id?: string; event?: string } = {},
): QueueMessage {
  const id = overrides.id ?? `m-${n}`;
  const timestamp = new Date(time).toISOString();
  const event = {
    type: 'track',
    event: overrides.event ?? EVENT_NAMES[n % EVENT_NAMES.length],
    messageId: id,
    anonymousId: `a-${n % 7}`,
    timestamp,
    receivedAt: timestamp,
    properties: { n },
  };
  return {
    id,
    source: overrides.source ?? 'shop',
    time,
    kind: 'event',
    body: new TextEncoder().encode(JSON.stringify(event)),
  };
}
