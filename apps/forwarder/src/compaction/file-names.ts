// How a partition's object names are read. A name is `<stem><extension>`: the stem is
// everything before the first dot. The forwarder names files `<20-digit position>.ndjson.gz`;
// compaction names its outputs `<stem of first input>.c<generation><extension>`, so a reader can
// tell them apart without opening them and two generations never share a key.

/** The name of a partition's manifest: hidden from Hive-style globs by its leading `_`. */
export const MANIFEST_NAME = '_manifest.json';

const COMPACTED = /^[^.]+\.c(\d+)\./;
const FORWARDER = /^(\d{20})\./;

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

/** True for a compaction output's name (`<stem>.c<generation>.<ext>`). */
export function isCompactedName(name: string): boolean {
  return COMPACTED.test(name);
}

/** The queue position that names a forwarder file, or undefined for any other name. */
export function forwarderPositionOf(name: string): number | undefined {
  const match = FORWARDER.exec(name);
  if (!match || isCompactedName(name)) return undefined;
  return Number(match[1]);
}

/** The part of a name before its first dot. */
export function stemOf(name: string): string {
  const dot = name.indexOf('.');
  return dot === -1 ? name : name.slice(0, dot);
}

/** The name of a compaction output that starts with the input named `firstInput`. */
export function compactedNameOf(firstInput: string, generation: number, extension: string): string {
  return `${stemOf(firstInput)}.c${generation}${extension}`;
}
