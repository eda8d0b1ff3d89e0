// Erasure of Parquet files as the forwarder writes them (@sluice/layout/parquet): rows are read
// back, the subject's rows dropped, and the rest written again with the same columns and types.
// Parquet holds no NDJSON to keep byte for byte, so "every other row unchanged" means the same
// values. A file the layout cannot read back faithfully throws UnsupportedParquetError (it is
// reported, not touched).

import { readParquetRows, writeParquetRows } from '@sluice/layout/parquet';
import { parquetZstd } from '../formats/parquet-zstd.js';
import type { SubjectMatcher } from './subject-matcher.js';

/** What erasing a subject from one Parquet file found. */
export interface ErasedRows {
  /** The file without the subject's rows; undefined when nothing was removed. */
  file?: Uint8Array;
  rows: number;
  removed: number;
}

/** Drops the subject's rows (by userId, anonymousId and an alias's previousId) from a file. */
export async function eraseParquetRows(
  file: Uint8Array,
  matcher: SubjectMatcher,
): Promise<ErasedRows> {
  const { columns, rows } = await readParquetRows(file, parquetZstd);
  const kept = rows.filter((row) => !belongs(row, matcher));
  const removed = rows.length - kept.length;
  if (removed === 0) return { rows: rows.length, removed };
  return {
    file: await writeParquetRows({ columns, rows: kept }, parquetZstd),
    rows: rows.length,
    removed,
  };
}

function belongs(row: Record<string, unknown>, matcher: SubjectMatcher): boolean {
  const { userId, anonymousId, previousId } = row;
  return matcher.match(JSON.stringify({ userId, anonymousId, previousId })) === 'event';
}
