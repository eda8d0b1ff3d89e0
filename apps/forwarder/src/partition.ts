import type { QueueMessage } from '@sluice/queue';

/** Where checkpoints live inside the object store, away from the data prefixes. */
export const CHECKPOINT_PREFIX = '_sluice/checkpoints/';

const HOUR_MS = 3_600_000;

/**
 * The folder (Hive-style, ending in `/`) an entry's line goes to, by event time in UTC:
 * `events/source=<s>/dt=YYYY-MM-DD/hh=HH/` or `quarantine/source=<s>/dt=YYYY-MM-DD/`.
 * A time that is not a date of years 0000–9999 lands in 1970-01-01, visible rather than lost.
 */
export function partitionOf(message: Pick<QueueMessage, 'source' | 'time' | 'kind'>): string {
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

function folderOf(message: Pick<QueueMessage, 'source' | 'time' | 'kind'>): string {
  const iso = isoHour(message.time);
  const source = `source=${encodeURIComponent(message.source)}`;
  const dt = `dt=${iso.slice(0, 10)}`;
  if (message.kind === 'quarantine') return `quarantine/${source}/${dt}/`;
  return `events/${source}/${dt}/hh=${iso.slice(11, 13)}/`;
}

/**
 * The object key of a file: named by the FIRST queue position it holds only, so a re-run
 * that cuts the file elsewhere overwrites the same key instead of adding a second file.
 * 20 digits keep keys in position order when listed. `extension` names the format.
 */
export function objectKeyOf(
  partition: string,
  firstPosition: number,
  extension = '.ndjson.gz',
): string {
  return `${partition}${String(firstPosition).padStart(20, '0')}${extension}`;
}

/** The key of a consumer's checkpoint object. */
export function checkpointKeyOf(consumerName: string): string {
  return `${CHECKPOINT_PREFIX}${encodeURIComponent(consumerName)}.json`;
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
