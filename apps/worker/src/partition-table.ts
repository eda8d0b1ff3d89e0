// One partition's lines in its Durable Object's SQLite database. Every function is one
// synchronous step; the callers run each inside `transactionSync`, so a step commits whole or
// not at all (a crash or `abort()` in between leaves the previous state).
//
// `lines` holds every messageId seen within the dedup window: pending rows (`cut` NULL) carry
// their body; rows of a frozen cut keep it until that cut's file is stored; stored rows keep
// only the id and `stored_at`, and are deleted once the window has passed.
import type { SqlStorage } from '@cloudflare/workers-types';

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS lines (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  body BLOB,
  bytes INTEGER NOT NULL,
  added_at INTEGER NOT NULL,
  cut INTEGER,
  stored_at INTEGER,
  time INTEGER
);
CREATE INDEX IF NOT EXISTS lines_by_cut ON lines (cut, seq);
CREATE INDEX IF NOT EXISTS lines_by_stored_at ON lines (stored_at);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value);
`;

/**
 * Objects created before Parquet (which needs each line's event time) have no `time`
 * column: it is added, and their lines without one get NaN (their time as the body says).
 */
export function addTimeColumn(sql: SqlStorage): void {
  const columns = sql.exec<{ name: string }>('PRAGMA table_info(lines)').toArray();
  if (!columns.some(({ name }) => name === 'time')) {
    sql.exec('ALTER TABLE lines ADD COLUMN time INTEGER');
  }
}

/**
 * A line to buffer: the event's messageId, its NDJSON line without the newline, and its
 * (corrected) event time, ms since the epoch, as the queue message carries it: Parquet's
 * `timestamp` column, as on Node.
 */
export interface BufferedLine {
  id: string;
  body: Uint8Array;
  time: number;
}

function getState(sql: SqlStorage, key: string): number | string | undefined {
  const row = sql.exec<{ value: number | string }>('SELECT value FROM state WHERE key = ?', key);
  return row.toArray()[0]?.value;
}

function setState(sql: SqlStorage, key: string, value: number | string | null): void {
  if (value === null) sql.exec('DELETE FROM state WHERE key = ?', key);
  else sql.exec('INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)', key, value);
}

/** The partition folder this object writes to (set by the first append). */
export function partitionOfTable(sql: SqlStorage): string | undefined {
  return getState(sql, 'partition') as string | undefined;
}

/** Uncompressed NDJSON bytes of the pending lines. */
export function pendingBytes(sql: SqlStorage): number {
  return (getState(sql, 'pending_bytes') as number | undefined) ?? 0;
}

/** The cut frozen but not yet stored, if any. */
export function openCut(sql: SqlStorage): number | undefined {
  return getState(sql, 'open_cut') as number | undefined;
}

/** Adds lines whose messageId this table does not hold; returns how many were new. */
export function appendLines(
  sql: SqlStorage,
  partition: string,
  lines: readonly BufferedLine[],
  now: number,
): number {
  setState(sql, 'partition', partition);
  let added = 0;
  let bytes = 0;
  for (const line of lines) {
    const size = line.body.byteLength + 1;
    // RETURNING yields a row only when the line was inserted: `rowsWritten` is 1 for an
    // ignored copy too (the AUTOINCREMENT bookkeeping), which counted every redelivery as
    // pending bytes until the count said "full" with nothing pending.
    const inserted = sql
      .exec(
        'INSERT OR IGNORE INTO lines (id, body, bytes, added_at, time) VALUES (?, ?, ?, ?, ?) RETURNING seq',
        line.id,
        line.body,
        size,
        now,
        Number.isFinite(line.time) ? line.time : null,
      )
      .toArray();
    if (inserted.length > 0) {
      added += 1;
      bytes += size;
    }
  }
  if (added > 0) setState(sql, 'pending_bytes', pendingBytes(sql) + bytes);
  return added;
}

/**
 * The format the open cut was frozen with (cuts frozen before formats were recorded: gzip,
 * the only format then).
 */
export function openCutFormat(sql: SqlStorage): string {
  return (getState(sql, 'open_cut_format') as string | undefined) ?? 'ndjson-gzip';
}

/**
 * Freezes the next file: the pending lines in arrival order up to `fileBytes` (at least one),
 * and its `format`. Its membership and format are fixed from here on, so every attempt to
 * store it writes the same lines under the same name, even after the setting changed.
 * Returns the cut's number, or undefined when nothing is pending.
 */
export function freezeCut(sql: SqlStorage, fileBytes: number, format: string): number | undefined {
  let total = 0;
  let last: number | undefined;
  for (const row of sql.exec<{ seq: number; bytes: number }>(
    'SELECT seq, bytes FROM lines WHERE cut IS NULL ORDER BY seq',
  )) {
    if (last !== undefined && total + row.bytes > fileBytes) break;
    total += row.bytes;
    last = row.seq;
  }
  if (last === undefined) return undefined;
  const cut = ((getState(sql, 'next_cut') as number | undefined) ?? 0) + 1;
  sql.exec('UPDATE lines SET cut = ? WHERE cut IS NULL AND seq <= ?', cut, last);
  setState(sql, 'next_cut', cut);
  setState(sql, 'open_cut', cut);
  setState(sql, 'open_cut_format', format);
  setState(sql, 'pending_bytes', pendingBytes(sql) - total);
  return cut;
}

/** The ids, bodies and event times (NaN if unknown) of a frozen cut, in arrival order. */
export function cutLines(
  sql: SqlStorage,
  cut: number,
): { ids: string[]; bodies: Uint8Array[]; times: number[] } {
  const ids: string[] = [];
  const bodies: Uint8Array[] = [];
  const times: number[] = [];
  for (const row of sql.exec<{ id: string; body: ArrayBuffer; time: number | null }>(
    'SELECT id, body, time FROM lines WHERE cut = ? ORDER BY seq',
    cut,
  )) {
    ids.push(row.id);
    bodies.push(new Uint8Array(row.body));
    times.push(row.time ?? Number.NaN);
  }
  return { ids, bodies, times };
}

/** After the cut's file is stored: its bodies go, its ids stay for the dedup window. */
export function markCutStored(sql: SqlStorage, cut: number, now: number): void {
  sql.exec('UPDATE lines SET body = NULL, stored_at = ? WHERE cut = ?', now, cut);
  if (openCut(sql) === cut) {
    setState(sql, 'open_cut', null);
    setState(sql, 'files_since_compaction', filesSinceCompaction(sql) + 1);
  }
}

/** Files this object stored in its partition since the partition was last compacted. */
export function filesSinceCompaction(sql: SqlStorage): number {
  return (getState(sql, 'files_since_compaction') as number | undefined) ?? 0;
}

/** After a compaction that saw the first `seen` of them: only later files still count. */
export function forgetCompactedFiles(sql: SqlStorage, seen: number): void {
  setState(sql, 'files_since_compaction', Math.max(0, filesSinceCompaction(sql) - seen));
}

/**
 * The Cron Trigger visits this object through `partition`'s marker: the marker is there
 * (however it got there: the scan, partition-scan.ts, puts markers for objects that never
 * did), and an object that has never counted its files (new, or of a release before
 * markers) may have stored some that were never compacted: it counts one, so the partition
 * is compacted once it is closed. A count of 0 means compacted since markers: left as it is.
 */
export function adoptPartition(sql: SqlStorage, partition: string): void {
  if (partitionOfTable(sql) === undefined) setState(sql, 'partition', partition);
  if (getState(sql, 'files_since_compaction') === undefined) {
    setState(sql, 'files_since_compaction', 1);
  }
  setMarked(sql, true);
}

/** Whether this partition's marker (partition-marker.ts) is in the bucket. */
export function isMarked(sql: SqlStorage): boolean {
  return getState(sql, 'marked') === 1;
}

export function setMarked(sql: SqlStorage, marked: boolean): void {
  setState(sql, 'marked', marked ? 1 : null);
}

/** Forgets the ids stored before `before` (their dedup window has passed). */
export function forgetStoredBefore(sql: SqlStorage, before: number): void {
  sql.exec('DELETE FROM lines WHERE stored_at < ?', before);
}

/** Arrival time of the oldest pending line, and store time of the oldest remembered id. */
export function oldestTimes(sql: SqlStorage): { pendingSince?: number; storedSince?: number } {
  const row = sql
    .exec<{ pending: number | null; stored: number | null }>(
      `SELECT (SELECT added_at FROM lines WHERE cut IS NULL ORDER BY seq LIMIT 1) AS pending,
              (SELECT MIN(stored_at) FROM lines) AS stored`,
    )
    .one();
  return { pendingSince: row.pending ?? undefined, storedSince: row.stored ?? undefined };
}
