import { checkpointKeyOf } from '@sluice/layout';
import type { ObjectStore } from '@sluice/store';
import { z } from 'zod';

/** Partition -> last queue position written to an uploaded file of that partition. */
export type Watermarks = Map<string, number>;

/** The first and last queue position of a file whose upload may have begun. */
export interface FileRange {
  first: number;
  last: number;
}

/**
 * Partition -> the file of it being uploaded, saved before the put: a restart rewrites that
 * key with exactly that range, never a shorter cut of it (see partition-router.ts).
 */
export type Uploading = Map<string, FileRange>;

/** What a forwarder restores from its checkpoint. */
export interface CheckpointState {
  watermarks: Watermarks;
  uploading: Uploading;
}

const position = z.number().int().nonnegative();

const checkpointSchema = z.object({
  version: z.literal(1),
  watermarks: z.record(z.string(), position),
  /** Files whose upload may have begun (older checkpoints lack it). */
  uploading: z.record(z.string(), z.object({ first: position, last: position })).optional(),
  /**
   * Every position below it is in an uploaded file (or was skipped) when this was saved: where
   * a damaged consumer file is rebuilt from (older checkpoints lack it).
   */
  resumeFrom: position.optional(),
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

/** Decodes a checkpoint object with the uploads it records as begun (undefined: none yet). */
export function parseCheckpointState(key: string, bytes: Uint8Array | undefined): CheckpointState {
  if (!bytes) return { watermarks: new Map(), uploading: new Map() };
  const decoded = decodeCheckpoint(key, bytes);
  return {
    watermarks: new Map(Object.entries(decoded.watermarks)),
    uploading: new Map(Object.entries(decoded.uploading ?? {})),
  };
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
  uploading?: Uploading,
): Promise<void> {
  const body = encodeCheckpoint(watermarks, resumeFrom, uploading);
  await store.put(checkpointKeyOf(consumerName), body, {
    contentType: 'application/json',
  });
}

/**
 * The checkpoint object's bytes: `{"version":1,"watermarks":{"<partition>":<position>},
 * "resumeFrom":<position>,"uploading":{"<partition>":{"first":<position>,"last":<position>}}}`.
 */
export function encodeCheckpoint(
  watermarks: Watermarks,
  resumeFrom?: number,
  uploading?: Uploading,
): Uint8Array {
  const body = JSON.stringify({
    version: 1,
    watermarks: Object.fromEntries(watermarks),
    ...(resumeFrom === undefined ? {} : { resumeFrom }),
    ...(uploading && uploading.size > 0 ? { uploading: Object.fromEntries(uploading) } : {}),
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
