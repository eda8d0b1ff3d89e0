// Which partitions' Durable Objects the Cron Trigger must visit. Durable Objects cannot be
// listed, so each PartitionFiles object keeps one small marker object in the bucket while it
// may need a visit: it holds lines not yet in a file (a lost alarm would keep them there for
// good), or it stored files since its partition was last compacted. Why a marker in R2 and not
// a row in one index Durable Object: it costs a put when an object first gets lines and a
// delete once it is idle and compacted (not one call per queue batch), the sweep reads it with
// one list call per 1,000 partitions (from where the last run stopped), and no single object sits on every queue batch's path.
// Markers sit under `_sluice/`, a hidden folder: readers and `listPartitionFolders` skip it.
import type { DurableObjectStorage, R2Bucket } from '@cloudflare/workers-types';
import {
  filesSinceCompaction,
  isMarked,
  oldestTimes,
  openCut,
  partitionOfTable,
  setMarked,
} from './partition-table.js';

export const MARKER_PREFIX = '_sluice/partition-files/';

/** The marker's key for a partition folder (ending in `/`). */
export function markerKeyOf(partition: string): string {
  return `${MARKER_PREFIX}${partition}marker.json`;
}

/** The partition folder a marker key names, or undefined for another key. */
export function partitionOfMarker(key: string): string | undefined {
  if (!key.startsWith(MARKER_PREFIX) || !key.endsWith('/marker.json')) return undefined;
  return key.slice(MARKER_PREFIX.length, -'marker.json'.length);
}

export async function putMarker(bucket: R2Bucket, partition: string, now: number): Promise<void> {
  const body = JSON.stringify({ partition, since: new Date(now).toISOString() });
  await bucket.put(markerKeyOf(partition), body, {
    httpMetadata: { contentType: 'application/json' },
  });
}

export async function deleteMarker(bucket: R2Bucket, partition: string): Promise<void> {
  await bucket.delete(markerKeyOf(partition));
}

/**
 * Up to `limit` marked partitions in key order, starting after the marker key `after` and
 * going round to the first ones (never one twice), so runs that visit `limit` each reach every
 * marker in turn however many there are. `last` is the key to start after next time.
 */
export async function listMarkedPartitions(
  bucket: R2Bucket,
  limit: number,
  after?: string,
): Promise<{ partitions: string[]; last?: string }> {
  const keys = await listMarkerKeys(bucket, limit, after);
  if (after !== undefined && keys.length < limit) {
    const first = await listMarkerKeys(bucket, limit - keys.length);
    keys.push(...first.filter((key) => key <= after));
  }
  const partitions = keys.flatMap((key) => partitionOfMarker(key) ?? []);
  return { partitions, ...(keys.length > 0 ? { last: keys.at(-1) } : {}) };
}

async function listMarkerKeys(bucket: R2Bucket, limit: number, after?: string) {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({
      prefix: MARKER_PREFIX,
      limit: Math.min(1_000, limit - keys.length),
      ...(cursor === undefined ? {} : { cursor }),
      ...(after === undefined ? {} : { startAfter: after }),
    });
    keys.push(...page.objects.map(({ key }) => key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor !== undefined && keys.length < limit);
  return keys;
}

/**
 * A PartitionFiles object's side of its marker: `sync()` after every change puts it while the
 * object holds lines, an open cut or files not yet compacted, and deletes it once none. The
 * syncs run one after another, each deciding on the state it then sees, so a put and a delete
 * never race, and the last sync matches the last change.
 */
export class MarkerSync {
  #ops: Promise<void> = Promise.resolve();

  constructor(
    private readonly bucket: R2Bucket,
    private readonly storage: DurableObjectStorage,
  ) {}

  sync(): Promise<void> {
    const op = this.#ops.then(() => this.#apply());
    this.#ops = op.catch(() => {});
    return op;
  }

  async #apply(): Promise<void> {
    const { sql } = this.storage;
    const partition = partitionOfTable(sql);
    if (partition === undefined) return;
    const wanted =
      oldestTimes(sql).pendingSince !== undefined ||
      openCut(sql) !== undefined ||
      filesSinceCompaction(sql) > 0;
    const marked = isMarked(sql);
    if (wanted && !marked) await putMarker(this.bucket, partition, Date.now());
    else if (!wanted && marked) await deleteMarker(this.bucket, partition);
    else return;
    this.storage.transactionSync(() => setMarked(sql, wanted));
  }
}
