import { checkpointKeyOf } from '@sluice/layout';
import type { ObjectStore } from '@sluice/store';
import { z } from 'zod';

/** Partition -> last queue position written to an uploaded file of that partition. */
export type Watermarks = Map<string, number>;

const checkpointSchema = z.object({
  version: z.literal(1),
  watermarks: z.record(z.string(), z.number().int().nonnegative()),
});

/** Reads a consumer's watermarks from the store; none yet is an empty map. */
export async function loadCheckpoint(
  store: ObjectStore,
  consumerName: string,
): Promise<Watermarks> {
  const key = checkpointKeyOf(consumerName);
  return parseCheckpoint(key, await store.get(key));
}

/** Decodes a checkpoint object (undefined: none yet). Throws when it is corrupt. */
export function parseCheckpoint(key: string, bytes: Uint8Array | undefined): Watermarks {
  if (!bytes) return new Map();
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new Error(`checkpoint ${key} is not JSON`, { cause: error });
  }
  const parsed = checkpointSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`checkpoint ${key} is invalid:\n${z.prettifyError(parsed.error)}`);
  }
  return new Map(Object.entries(parsed.data.watermarks));
}

/** Writes a consumer's watermarks whole (a put replaces the object atomically). */
export async function saveCheckpoint(
  store: ObjectStore,
  consumerName: string,
  watermarks: Watermarks,
): Promise<void> {
  await store.put(checkpointKeyOf(consumerName), encodeCheckpoint(watermarks), {
    contentType: 'application/json',
  });
}

/** The checkpoint object's bytes: `{"version":1,"watermarks":{"<partition>":<position>}}`. */
export function encodeCheckpoint(watermarks: Watermarks): Uint8Array {
  const body = JSON.stringify({ version: 1, watermarks: Object.fromEntries(watermarks) });
  return new TextEncoder().encode(body);
}

/**
 * Forgets watermarks that can no longer matter, to keep the checkpoint small: a partition
 * with nothing buffered whose watermark is below `lowestUnacked` (every position still
 * unacknowledged is above it, so a restart never reads an entry it covers again).
 * Sound only while acknowledgements that resolved survive a restart.
 */
export function pruneWatermarks(
  watermarks: Watermarks,
  lowestUnacked: number,
  isBuffered: (partition: string) => boolean,
): void {
  for (const [partition, watermark] of watermarks) {
    if (watermark < lowestUnacked && !isBuffered(partition)) watermarks.delete(partition);
  }
}
