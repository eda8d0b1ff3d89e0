// Object keys: a partition folder (partition.ts) and a file name (file-names.ts) with its
// format's extension (formats.ts), plus the hidden objects sluice keeps beside the data.

/** Where checkpoints live inside the object store, away from the data prefixes. */
export const CHECKPOINT_PREFIX = '_sluice/checkpoints/';

/**
 * The key of a data file: `<folder><name><extension>`. `folder` ends in `/` (a partition, with
 * any prefix in front); `extension` names the format, e.g. `.ndjson.gz`.
 */
export function objectKeyOf(folder: string, name: string, extension: string): string {
  return `${folder}${name}${extension}`;
}

/** The key of a consumer's checkpoint object. */
export function checkpointKeyOf(consumerName: string): string {
  return `${CHECKPOINT_PREFIX}${encodeURIComponent(consumerName)}.json`;
}

/** Splits a key into its folder (ending in `/`, or '' at the root) and its name. */
export function splitKey(key: string): { folder: string; name: string } {
  const slash = key.lastIndexOf('/');
  return { folder: key.slice(0, slash + 1), name: key.slice(slash + 1) };
}

/**
 * True for the objects of a partition that hold data: Hive-style tools skip files and folders
 * whose names start with `_` or `.`, and so do we (manifests, checkpoints, temp files).
 */
export function isDataKey(key: string): boolean {
  return key
    .split('/')
    .every((part) => part !== '' && !part.startsWith('_') && !part.startsWith('.'));
}

/**
 * The default prefix of a replay: `replay/<from>-<to>/`, plus `_<since>-<until>` (compact UTC,
 * `start`/`end` when open) for a time range. Each distinct request gets its own folder, so two
 * replays never mix and none writes under the live forwarder's `events/` keys.
 * (The live layout, `events/…` and `quarantine/…`, goes on below it.)
 */
export function replayPrefixOf(range: {
  from: number;
  to: number;
  since?: number;
  until?: number;
}): string {
  let name = `${range.from}-${range.to}`;
  if (range.since !== undefined || range.until !== undefined) {
    name += `_${compactTime(range.since, 'start')}-${compactTime(range.until, 'end')}`;
  }
  return `replay/${name}/`;
}

/** `2026-11-24T10:30:00.000Z` -> `20261124T103000Z` (milliseconds kept when not zero). */
function compactTime(ms: number | undefined, open: string): string {
  if (ms === undefined) return open;
  const iso = new Date(ms).toISOString().replace(/[-:]/g, '');
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}
