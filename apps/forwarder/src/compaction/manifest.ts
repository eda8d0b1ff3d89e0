// A partition's `_manifest.json`: the one object whose put switches what readers see, since
// object stores have no rename. It names the live compaction outputs and every input file they
// replaced; a reader reads the outputs it names plus every other data file that is neither a
// replaced input nor a compaction output (so files written later, e.g. late events, count).
// `replaced` only grows: a reader relies on it to drop an input that is still listed, or that a
// listing saw before it was deleted (see live-files.ts).
// It ends with the SHA-256 of the rest (Web Crypto, so Workers too): a flipped bit in a name or
// a number still parses, and would switch readers to the wrong files. A manifest whose digest
// does not match is refused by key; one without a digest (written before) is read as it is.

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
  const text = new TextDecoder().decode(bytes);
  const signed = DIGEST_SUFFIX.exec(text);
  if (signed && (await sha256Hex(`${text.slice(0, signed.index)}}`)) !== signed[1]) {
    throw new DamagedManifestError(key, 'its SHA-256 does not match');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DamagedManifestError(key, 'not JSON', error);
  }
  // Nothing but the known fields (a flipped bit in the digest's own name leaves an extra one).
  if (signed && json && typeof json === 'object') delete (json as { sha256?: unknown }).sha256;
  const parsed = manifestSchema.strict().safeParse(json);
  if (!parsed.success) {
    throw new DamagedManifestError(key, `invalid: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

const DIGEST_SUFFIX = /,"sha256":"([0-9a-f]{64})"\}$/;

/** A manifest that cannot be trusted: nothing reads or compacts its partition until restored. */
export class DamagedManifestError extends Error {
  constructor(
    readonly key: string,
    detail: string,
    cause?: unknown,
  ) {
    super(
      `manifest ${key} is damaged (${detail}): restore it from a backup of the store. Do not ` +
        'delete it: readers would skip the compaction outputs it names (and read the inputs ' +
        'they replaced, where those are still there)',
      { cause },
    );
    this.name = 'DamagedManifestError';
  }
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
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
  const body = JSON.stringify(sorted);
  const signed = `${body.slice(0, -1)},"sha256":"${await sha256Hex(body)}"}`;
  await store.put(manifestKeyOf(partition), new TextEncoder().encode(signed), {
    contentType: 'application/json',
  });
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
