// Helpers for scheduled.test.ts (and partition-files.test.ts): a Worker instance on its own disk, events as Cloudflare
// Queues hands them over, and the bucket read as files and as a manifest-aware reader does.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { gunzipSync } from 'node:zlib';
import type { R2Bucket } from '@cloudflare/workers-types';
import { nodeFileCodecs, readLiveFiles } from '@sluice/forwarder';
import { isDataKey } from '@sluice/layout';
import { toWireMessage } from '@sluice/queue/cloudflare';
import { createR2Store } from '@sluice/store/r2';
import { parquetReadObjects } from 'hyparquet';
import type { Miniflare } from 'miniflare';

/** How Cloudflare Queues hands the worker one track event `id` of `source` at `time`. */
export function delivery(
  id: string,
  time: number,
  source = 'shop',
  properties: Record<string, unknown> = { pad: 'p'.repeat(200) },
) {
  const event = { type: 'track', event: 'Viewed', messageId: id, properties };
  return {
    id: `cf-${id}`,
    timestamp: new Date(),
    attempts: 1,
    body: toWireMessage({
      id,
      source,
      time,
      kind: 'event',
      body: new TextEncoder().encode(JSON.stringify(event)),
    }),
  };
}

export async function bucketOf(mf: Miniflare): Promise<R2Bucket> {
  return (await mf.getR2Bucket('EVENTS_BUCKET')) as unknown as R2Bucket;
}

/** Every object below `prefix`, key -> body. */
export async function objects(bucket: R2Bucket, prefix = ''): Promise<Map<string, Uint8Array>> {
  const found = new Map<string, Uint8Array>();
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, ...(cursor ? { cursor } : {}) });
    for (const { key } of page.objects) {
      found.set(key, new Uint8Array(await (await bucket.get(key))!.arrayBuffer()));
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return found;
}

/** The data files' lines (gzip NDJSON) below `prefix`, key -> lines, manifests left out. */
export async function fileLines(bucket: R2Bucket, prefix: string): Promise<Map<string, string[]>> {
  const files = new Map<string, string[]>();
  for (const [key, body] of await objects(bucket, prefix)) {
    if (key.endsWith('.ndjson.gz'))
      files.set(key, gunzipSync(body).toString().split('\n').slice(0, -1));
  }
  return files;
}

/** The data files below `prefix` (gzip NDJSON or Parquet), key -> their messageIds in order. */
export async function fileIds(bucket: R2Bucket, prefix: string): Promise<Map<string, string[]>> {
  const files = new Map<string, string[]>();
  for (const [key, body] of await objects(bucket, prefix)) {
    if (!isDataKey(key)) continue;
    if (key.endsWith('.ndjson.gz')) {
      const lines = gunzipSync(body).toString().split('\n').slice(0, -1);
      files.set(
        key,
        lines.map((line) => JSON.parse(line).messageId as string),
      );
    } else if (key.endsWith('.parquet')) {
      const file = new Uint8Array(body).buffer;
      const rows = await parquetReadObjects({ file, columns: ['messageId'] });
      files.set(
        key,
        rows.map((row) => row.messageId as string),
      );
    }
  }
  return files;
}

/** The messageIds a manifest-aware reader sees below `prefix`, in file order. */
export async function liveIds(bucket: R2Bucket, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  const store = createR2Store(bucket);
  for await (const { files } of readLiveFiles(store, prefix, { codecs: nodeFileCodecs })) {
    for (const { ndjson } of files) {
      for (const line of new TextDecoder().decode(ndjson).split('\n').slice(0, -1)) {
        ids.push(JSON.parse(line).messageId as string);
      }
    }
  }
  return ids;
}

/** Waits until `count` data files are below `prefix` (the age cuts), or throws. */
export async function waitForFiles(bucket: R2Bucket, prefix: string, count: number): Promise<void> {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
    if ((await fileIds(bucket, prefix)).size >= count) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`fewer than ${count} files below ${prefix}`);
}

/**
 * Loses every alarm of the stopped instance's PartitionFiles objects, as workerd does when it
 * forgets one: workerd keeps an object's alarm in its SQLite file (`_cf_METADATA` key 1) and
 * in the namespace's `metadata.sqlite` (`_cf_ALARM`).
 */
export async function loseAlarms(durableObjectsDir: string): Promise<number> {
  const dir = join(durableObjectsDir, '-PartitionFiles');
  let lost = 0;
  for (const name of await readdir(dir)) {
    if (!name.endsWith('.sqlite')) continue;
    const db = new DatabaseSync(join(dir, name));
    const sql =
      name === 'metadata.sqlite'
        ? 'DELETE FROM _cf_ALARM'
        : 'DELETE FROM _cf_METADATA WHERE key = 1';
    lost += Number(db.prepare(sql).run().changes);
    db.close();
  }
  return lost;
}
