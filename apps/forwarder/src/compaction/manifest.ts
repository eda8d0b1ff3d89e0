// A partition's `_manifest.json`: the one object whose put switches what readers see, since
// object stores have no rename. It names the live compaction outputs and every input file they
// replaced; a reader reads the outputs it names plus every other data file that is neither a
// replaced input nor a compaction output (so files written later, e.g. late events, count).
// `replaced` only grows: a reader relies on it to drop an input that is still listed, or that a
// listing saw before it was deleted (see live-files.ts).

import { MANIFEST_NAME } from '@sluice/layout';
import type { ObjectStore } from '@sluice/store';
import { z } from 'zod';

const name = z
  .string()
  .min(1)
  .refine((value) => !value.includes('/'), 'must be a name inside the partition, without "/"');

const manifestSchema = z.object({
  version: z.literal(1),
  /** Increases with every switch; outputs of generation g are named `<stem>.c<g>.<ext>`. */
  generation: z.number().int().nonnegative(),
  /** Compaction outputs readers must read, with their NDJSON size and line count. */
  live: z.array(
    z.object({
      name,
      bytes: z.number().int().nonnegative(),
      lines: z.number().int().nonnegative(),
    }),
  ),
  /** Inputs whose lines are in a live output: never read, even while still present. */
  replaced: z.array(name),
});

export type PartitionManifest = z.infer<typeof manifestSchema>;
export type LiveOutput = PartitionManifest['live'][number];

/** The manifest of a partition that was never compacted. */
export const EMPTY_MANIFEST: PartitionManifest = Object.freeze({
  version: 1,
  generation: 0,
  live: [],
  replaced: [],
}) as PartitionManifest;

/** The manifest's key in a partition folder (ending in `/`). */
export function manifestKeyOf(partition: string): string {
  return `${partition}${MANIFEST_NAME}`;
}

/** Reads a partition's manifest; none is the empty one. Throws when it is corrupt. */
export async function readManifest(
  store: ObjectStore,
  partition: string,
): Promise<PartitionManifest> {
  const key = manifestKeyOf(partition);
  const bytes = await store.get(key);
  if (!bytes) return EMPTY_MANIFEST;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new Error(`manifest ${key} is not JSON`, { cause: error });
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`manifest ${key} is invalid:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/** Replaces a partition's manifest with one put: the atomic step of compaction. */
export async function writeManifest(
  store: ObjectStore,
  partition: string,
  manifest: PartitionManifest,
): Promise<void> {
  const sorted: PartitionManifest = {
    version: 1,
    generation: manifest.generation,
    live: [...manifest.live].sort((a, b) => compareNames(a.name, b.name)),
    replaced: [...new Set(manifest.replaced)].sort(compareNames),
  };
  await store.put(manifestKeyOf(partition), new TextEncoder().encode(JSON.stringify(sorted)), {
    contentType: 'application/json',
  });
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
