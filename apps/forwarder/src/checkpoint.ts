import { checkpointKeyOf } from '@sluice/layout';
import type { ObjectStore } from '@sluice/store';
import { z } from 'zod';

/** Partition -> last queue position written to an uploaded file of that partition. */
export type Watermarks = Map<string, number>;

const checkpointSchema = z.object({
  version: z.literal(1),
  watermarks: z.record(z.string(), z.number().int().nonnegative()),
  /**
   * Every position below it is in an uploaded file (or was skipped) when this was saved: where
   * a damaged consumer file is rebuilt from (older checkpoints lack it).
   */
  resumeFrom: z.number().int().nonnegative().optional(),
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
  return new Map(Object.entries(decodeCheckpoint(key, bytes).watermarks));
}

/** The position a consumer may resume at by this checkpoint (undefined: none, or too old). */
export function checkpointResumeFrom(
  key: string,
  bytes: Uint8Array | undefined,
): number | undefined {
  return bytes ? decodeCheckpoint(key, bytes).resumeFrom : undefined;
}

function decodeCheckpoint(key: string, bytes: Uint8Array): z.infer<typeof checkpointSchema> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new Error(
      `checkpoint ${key} is not JSON: restore it from a backup of the store, or delete it (then files already stored are written again under the same keys, and the dedup index drops repeats it still holds)`,
      { cause: error },
    );
  }
  const parsed = checkpointSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(
      `checkpoint ${key} is invalid (restore it from a backup of the store, or delete it: then files already stored are written again under the same keys, and the dedup index drops repeats it still holds):\n${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}

/** Writes a consumer's watermarks whole (a put replaces the object atomically). */
export async function saveCheckpoint(
  store: ObjectStore,
  consumerName: string,
  watermarks: Watermarks,
  resumeFrom?: number,
): Promise<void> {
  await store.put(checkpointKeyOf(consumerName), encodeCheckpoint(watermarks, resumeFrom), {
    contentType: 'application/json',
  });
}

/**
 * The checkpoint object's bytes:
 * `{"version":1,"watermarks":{"<partition>":<position>},"resumeFrom":<position>}`.
 */
export function encodeCheckpoint(watermarks: Watermarks, resumeFrom?: number): Uint8Array {
  const body = JSON.stringify({
    version: 1,
    watermarks: Object.fromEntries(watermarks),
    ...(resumeFrom === undefined ? {} : { resumeFrom }),
  });
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
