// Reads an input file for `importRecords`: NDJSON or CSV, gzip-compressed or not (by name).
// Opening it reads it once whole: the SHA-256 of its bytes names its output files, and a file
// that cannot be read to the end (truncated gzip, broken CSV quoting, bad header) fails here,
// before a single file is written for it.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { type Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { type Info, parse } from 'csv-parse';
import { checkCsvHeader, csvRowToEvent } from './csv-event.js';
import type { ImportRecord } from './imported-event.js';

export type ImportFormat = 'ndjson' | 'csv';

export interface InputFile {
  path: string;
  format: ImportFormat;
  /** Hex SHA-256 of the file's bytes (as stored, compressed or not): its input id. */
  sha256: string;
  /** The file's size in bytes. */
  size: number;
  /** Bytes of the file `records()` has read so far. */
  bytesRead(): number;
  /** The records in file order; `line` is the 1-based line where a record ends. */
  records(): AsyncIterable<ImportRecord>;
}

/** The format a file name says: `.ndjson`, `.jsonl`, `.csv`, each optionally with `.gz`. */
export function formatOfPath(path: string): ImportFormat | undefined {
  const name = path.toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.ndjson') || name.endsWith('.jsonl')) return 'ndjson';
  if (name.endsWith('.csv')) return 'csv';
  return undefined;
}

/** Hashes and checks `path`; `format` defaults to what its name says. */
export async function openInputFile(path: string, format?: ImportFormat): Promise<InputFile> {
  const resolved = format ?? formatOfPath(path);
  if (!resolved) throw new Error(`${path}: cannot tell the format from the name; give it`);
  const gzip = path.toLowerCase().endsWith('.gz');
  const { size } = await stat(path);
  const hash = createHash('sha256');
  const check: Array<NodeJS.ReadableStream | NodeJS.ReadWriteStream | NodeJS.WritableStream> = [
    createReadStream(path),
    tap((chunk) => hash.update(chunk)),
  ];
  if (gzip) check.push(createGunzip());
  if (resolved === 'csv') check.push(csvParser(), csvHeaderCheck());
  check.push(discard(resolved === 'csv'));
  try {
    await pipeline(check);
  } catch (error) {
    throw new Error(`${path}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  let read = 0;
  return {
    path,
    format: resolved,
    sha256: hash.digest('hex'),
    size,
    bytesRead: () => read,
    records() {
      let stream: Readable = createReadStream(path).pipe(tap((chunk) => (read += chunk.length)));
      if (gzip) stream = stream.pipe(createGunzip());
      return resolved === 'csv' ? csvRecords(stream) : ndjsonRecords(stream);
    },
  };
}

async function* ndjsonRecords(stream: Readable): AsyncGenerator<ImportRecord> {
  let line = 0;
  for await (let text of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
    line++;
    if (line === 1 && text.startsWith('\uFEFF')) text = text.slice(1);
    if (text.trim() === '') continue;
    try {
      yield { line, event: JSON.parse(text) };
    } catch (error) {
      yield { line, unparsable: text, error: `not JSON: ${(error as Error).message}` };
    }
  }
}

interface ParsedRow {
  record: string[];
  info: Info;
  raw: string;
}

async function* csvRecords(stream: Readable): AsyncGenerator<ImportRecord> {
  let header: string[] | undefined;
  for await (const row of stream.pipe(csvParser()) as AsyncIterable<ParsedRow>) {
    if (!header) {
      header = row.record;
      continue;
    }
    const line = row.info.lines;
    const built = csvRowToEvent(header, row.record);
    if ('event' in built) yield { line, event: built.event };
    else yield { line, unparsable: row.raw.replace(/\r?\n$/, ''), error: built.error };
  }
}

function csvParser() {
  // Rows of another length are quarantined (csvRowToEvent), not fatal: hence relax_column_count.
  return parse({
    bom: true,
    info: true,
    raw: true,
    skip_empty_lines: true,
    relax_column_count: true,
  });
}

/** Passes chunks through, showing each to `see`. */
function tap(see: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      see(chunk);
      done(null, chunk);
    },
  });
}

function csvHeaderCheck(): Transform {
  let first = true;
  return new Transform({
    objectMode: true,
    transform(row: ParsedRow, _encoding, done) {
      const problem = first ? checkCsvHeader(row.record) : undefined;
      first = false;
      done(problem ? new Error(problem) : null, row);
    },
  });
}

function discard(objectMode: boolean): Writable {
  return new Writable({ objectMode, write: (_chunk, _encoding, done) => done() });
}
