// File names inside a partition. A name is `<stem><extension>`: the stem is everything before
// the first dot. Every writer derives its names from what the file holds, never from the clock,
// so writing a file again gives the same key:
// - the forwarder and replay: `<first queue position, 20 digits>` (`positionFileName`);
// - the forwarder of log partition i >= 1 (`--workers N`): `w<i>-<first position, 20 digits>`
//   (`logPartitionFileName`): each partition counts positions from 0, so without the prefix two
//   partitions' files would share keys and overwrite each other. Partition 0 keeps the plain
//   name, so a single-worker run (and every data directory from before workers) is unchanged;
// - import: `<input id, 32 hex digits>-<line of the first record, 12 digits>` (`importFileName`);
// - push mode: `<32 hex digits of the messageIds' hash>` (`messageIdsFileName`);
// - compaction: `<stem of its first input>.c<generation>` (`compactedNameOf`), so a reader can
//   tell outputs apart without opening them and two generations never share a key.

/** The name of a partition's manifest: hidden from Hive-style globs by its leading `_`. */
export const MANIFEST_NAME = '_manifest.json';

/** Hex digits of an import's input id kept in file names: 128 bits. */
export const IMPORT_NAME_ID_DIGITS = 32;

const COMPACTED = /^[^.]+\.c(\d+)\./;
const FORWARDER = /^(?:w([1-9]\d{0,3})-)?(\d{20})\./;

/**
 * The name of a file whose first line has queue position `position`: 20 digits keep names in
 * position order when listed. Named by the FIRST position only, so a re-run that cuts the file
 * elsewhere overwrites the same key instead of adding a second file.
 */
export function positionFileName(position: number): string {
  return String(position).padStart(20, '0');
}

/**
 * The name of an imported file: its input's content hash (`inputId`, lower-case hex, cut to
 * 128 bits) and the line of its first record. It can never meet a forwarder file's name.
 */
export function importFileName(inputId: string, line: number): string {
  return `${inputId.slice(0, IMPORT_NAME_ID_DIGITS)}-${String(line).padStart(12, '0')}`;
}

/** True for a compaction output's name (`<stem>.c<generation>.<ext>`). */
export function isCompactedName(name: string): boolean {
  return COMPACTED.test(name);
}

/**
 * The name of the file whose first line has `position` in log partition `logPartition`:
 * `positionFileName` for partition 0, `w<i>-<position>` for the others (module comment).
 */
export function logPartitionFileName(logPartition: number, position: number): string {
  return logPartition === 0
    ? positionFileName(position)
    : `w${logPartition}-${positionFileName(position)}`;
}

/** The log partition and queue position that name a forwarder file, or undefined. */
export function forwarderFileOf(
  name: string,
): { logPartition: number; position: number } | undefined {
  const match = FORWARDER.exec(name);
  if (!match || isCompactedName(name)) return undefined;
  return {
    logPartition: match[1] === undefined ? 0 : Number(match[1]),
    position: Number(match[2]),
  };
}

/**
 * The queue position that names a forwarder file (of any log partition), or undefined for any
 * other name. Positions of different log partitions are not comparable: see `forwarderFileOf`.
 */
export function forwarderPositionOf(name: string): number | undefined {
  return forwarderFileOf(name)?.position;
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
