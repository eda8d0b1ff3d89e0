// Which partitions' Durable Objects the Cron Trigger must visit. Durable Objects cannot be
// listed, so each PartitionFiles object keeps one small marker object in the bucket while it
// may need a visit: it holds lines not yet in a file (a lost alarm would keep them there for
// good), or it stored files since its partition was last compacted. Why a marker in R2 and not
// a row in one index Durable Object: it costs a put when an object first gets lines and a
// delete once it is idle and compacted (not one call per queue batch), the sweep reads it with
// one list call per 1,000 partitions, and no single object sits on every queue batch's path.
// Markers sit under `_sluice/`, a hidden folder: readers and `listPartitionFolders` skip it.
import type { R2Bucket } from '@cloudflare/workers-types';

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

/** The partitions that have a marker, in key order, at most `limit` of them. */
export async function listMarkedPartitions(bucket: R2Bucket, limit: number): Promise<string[]> {
  const partitions: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({
      prefix: MARKER_PREFIX,
      limit: Math.min(1_000, limit - partitions.length),
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const { key } of page.objects) {
      const partition = partitionOfMarker(key);
      if (partition !== undefined) partitions.push(partition);
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor !== undefined && partitions.length < limit);
  return partitions;
}
