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
