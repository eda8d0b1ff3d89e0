// Erasure of Parquet files as the forwarder writes them (formats/parquet.ts): rows are read
// with hyparquet, the subject's rows dropped, and the rest written again with the same columns
// and types. Parquet holds no NDJSON to keep byte for byte, so "every other row unchanged"
// means the same values: strings, millisecond timestamps and JSON columns read back as they
// were written. A column of another type makes the file unreadable here (reported, not touched).

import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { SubjectMatcher } from './subject-matcher.js';

type ColumnType = 'STRING' | 'TIMESTAMP' | 'JSON';
const TYPES: Record<string, ColumnType> = {
  UTF8: 'STRING',
  TIMESTAMP_MILLIS: 'TIMESTAMP',
  JSON: 'JSON',
};

/** What erasing a subject from one Parquet file found. */
export interface ErasedRows {
  /** The file without the subject's rows; undefined when nothing was removed. */
  file?: Uint8Array;
  rows: number;
  removed: number;
}

/** Thrown for a Parquet file this eraser cannot rewrite faithfully. */
export class UnsupportedParquetError extends Error {}

/** Drops the subject's rows (by userId, anonymousId and an alias's previousId) from a file. */
export async function eraseParquetRows(
  file: Uint8Array,
  matcher: SubjectMatcher,
): Promise<ErasedRows> {
  const buffer = new Uint8Array(file).buffer; // a copy the reader may keep, never shared
  let columns: Array<{ name: string; type: ColumnType }>;
  try {
    columns = parquetMetadata(buffer)
      .schema.slice(1)
      .map((element) => {
        const type = TYPES[element.converted_type ?? ''];
        if (!type || element.num_children) throw new UnsupportedParquetError(element.name);
        return { name: element.name, type };
      });
  } catch (error) {
    throw new UnsupportedParquetError(`not a Parquet file sluice wrote: ${String(error)}`);
  }
  const rows = (await parquetReadObjects({ file: buffer })) as Record<string, unknown>[];
  const kept = rows.filter((row) => !belongs(row, matcher));
  const removed = rows.length - kept.length;
  if (removed === 0) return { rows: rows.length, removed };
  const columnData = columns.map(({ name, type }) => ({
    name,
    type,
    data: kept.map((row) => row[name] ?? null),
  }));
  return { file: new Uint8Array(parquetWriteBuffer({ columnData })), rows: rows.length, removed };
}

function belongs(row: Record<string, unknown>, matcher: SubjectMatcher): boolean {
  const { userId, anonymousId, previousId } = row;
  return matcher.match(JSON.stringify({ userId, anonymousId, previousId })) === 'event';
}
