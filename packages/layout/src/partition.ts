// Partition folders, Hive-style so DuckDB, Athena, Spark and ClickHouse read `source`, `dt` and
// `hh` as columns: `events/source=<id>/dt=YYYY-MM-DD/hh=HH/` and `quarantine/source=<id>/dt=…/`.
// Existing stores are laid out this way: changing a folder's shape strands their data.

/** The top folder of valid events. */
export const EVENTS_ROOT = 'events/';
/** The top folder of quarantined messages (the event and why it was refused). */
export const QUARANTINE_ROOT = 'quarantine/';
/** Both top folders: where the live forwarder's partitions are. */
export const DATA_ROOTS: readonly string[] = [EVENTS_ROOT, QUARANTINE_ROOT];

/** What a message's folder depends on: its source, its event time (ms, UTC) and its kind. */
export interface PartitionFields {
  readonly source: string;
  readonly time: number;
  readonly kind: 'event' | 'quarantine';
}

const HOUR_MS = 3_600_000;

/**
 * The folder (Hive-style, ending in `/`) an entry's line goes to, by event time in UTC:
 * `events/source=<s>/dt=YYYY-MM-DD/hh=HH/` or `quarantine/source=<s>/dt=YYYY-MM-DD/`.
 * A time that is not a date of years 0000–9999 lands in 1970-01-01, visible rather than lost.
 */
export function partitionOf(message: PartitionFields): string {
  // Runs of entries share source, kind and hour: the last folder is remembered (it built new
  // strings for every entry, with encodeURIComponent, a few % of the forwarder's time).
  const hour = Math.floor(message.time / HOUR_MS);
  const last = lastPartition;
  if (hour === last.hour && message.source === last.source && message.kind === last.kind) {
    return last.folder;
  }
  const folder = folderOf(message);
  lastPartition = { hour, source: message.source, kind: message.kind, folder };
  return folder;
}

let lastPartition = { hour: Number.NaN, source: '', kind: '', folder: '' };

/** True for a folder of quarantined messages (as `partitionOf` names them, without a prefix). */
export function isQuarantinePartition(partition: string): boolean {
  return partition.startsWith(QUARANTINE_ROOT);
}

/**
 * The folders of a source's events as a pattern for people to read:
 * `events/source=<id>/dt=YYYY-MM-DD/hh=HH/`.
 */
export function eventsFolderPattern(source: string): string {
  return `${EVENTS_ROOT}${sourceFolder(source)}/dt=YYYY-MM-DD/hh=HH/`;
}

/** A glob over every events file of one format below `root` (`<root>/events/**\/*<extension>`). */
export function eventsGlob(root: string, extension: string): string {
  return `${root}/${EVENTS_ROOT}**/*${extension}`;
}

function sourceFolder(source: string): string {
  return `source=${encodeURIComponent(source)}`;
}

function folderOf(message: PartitionFields): string {
  const iso = isoHour(message.time);
  const source = sourceFolder(message.source);
  const dt = `dt=${iso.slice(0, 10)}`;
  if (message.kind === 'quarantine') return `${QUARANTINE_ROOT}${source}/${dt}/`;
  return `${EVENTS_ROOT}${source}/${dt}/hh=${iso.slice(11, 13)}/`;
}

function isoHour(time: number): string {
  // Many events share an hour: remember the last one formatted (the hot path).
  const hour = Math.floor(time / HOUR_MS);
  if (hour === lastHour) return lastIso;
  const date = new Date(hour * HOUR_MS);
  // Invalid dates and years outside 0000–9999 (six-digit ISO years) cannot name a folder.
  const iso = Number.isNaN(date.getTime()) ? '' : date.toISOString();
  if (iso.length !== 24) return '1970-01-01T00';
  lastHour = hour;
  lastIso = iso;
  return iso;
}

let lastHour = 0;
let lastIso = '1970-01-01T00';
