// Shared by the bulk, replay, import and DuckDB tests only (kept out of the published files).

import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { QueueMessage } from '@sluice/queue';
import type { ObjectStore } from '@sluice/store';

/** The two real stores every bulk test runs against: a temp directory and s3rver. */
export { storeKinds as storeCases } from '../testing/store-kinds.js';

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

/** What a bulk command's entry function (`runImportCli`, `runReplayCli`) takes. */
type BulkCli = (
  argv: readonly string[],
  io: { out: (text: string) => void; err: (text: string) => void; now: () => number },
) => Promise<number>;

/**
 * Runs a bulk command with a clock that moves a second per reading, so every progress report
 * prints; resolves with its exit code and the lines it printed to stdout and stderr.
 */
export async function runBulkCli(
  cli: BulkCli,
  argv: string[],
): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  let clock = 0;
  const code = await cli(argv, {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    now: () => (clock += 1_000),
  });
  return { code, out, err };
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
