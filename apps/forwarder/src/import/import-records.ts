// Loads the records of one input file into the live layout (`<prefix>events/…`, prefix empty by
// default). Files are named `<input id>-<line of their first record>`: the input id is a hash
// of the file's bytes, so importing the same file again writes the same keys with the same
// bytes (bulk-writer.ts), and no key can meet a live file (named by a 20-digit position).
// Each input is cut and named on its own, so importing one file never depends on another.
// Not detected: the same events imported from a different file, or also delivered live;
// repeats of a messageId are dropped only inside one file.

import { type FileFormat, importFileName, partitionOf } from '@sluice/layout';
import type { ObjectStore } from '@sluice/store';
import { createBulkWriter } from '../bulk/bulk-writer.js';
import { type ImportOptionsInput, parseImportOptions } from './import-options.js';
import { type ImportRecord, toImportedMessage } from './imported-event.js';

export interface ImportInput {
  /** The input's content hash in lower-case hex (at least 32 digits), e.g. its SHA-256. */
  inputId: string;
  /** Its records in file order. */
  records: AsyncIterable<ImportRecord>;
}

export interface ImportDeps {
  store: ObjectStore;
  /** Deterministic compression: the Node entry passes gzip level 6 (`gzipLevel6`). */
  compress: (data: Uint8Array) => Promise<Uint8Array>;
  /** The format of event files (the Node entry: `FILE_FORMATS[name]`); default gzip NDJSON. */
  format?: FileFormat;
  /** Called every `progressEvery` records, and once at the end. */
  onProgress?: (progress: ImportProgress) => void;
  onError?: (error: unknown, during: string) => void;
  signal?: AbortSignal;
}

/** How far an import got. */
export interface ImportProgress {
  inputId: string;
  prefix: string;
  /** Records read; of them valid events and quarantined ones. */
  records: number;
  events: number;
  quarantined: number;
  /** Lines in files, repeats dropped, files uploaded, uncompressed and compressed bytes. */
  lines: number;
  repeatsDropped: number;
  files: number;
  bytesIn: number;
  bytesOut: number;
}

/** Validates and writes every record of one input; resolves with the final progress. */
export async function importRecords(
  deps: ImportDeps,
  input: ImportInput,
  optionsInput: ImportOptionsInput,
): Promise<ImportProgress> {
  const options = parseImportOptions(optionsInput);
  const { inputId } = input;
  if (!/^[0-9a-f]{32,}$/.test(inputId)) {
    throw new RangeError(`inputId must be at least 32 lower-case hex digits, got "${inputId}"`);
  }
  const prefix = options.prefix ?? '';
  const writer = createBulkWriter({
    store: deps.store,
    compress: deps.compress,
    ...(deps.format ? { format: deps.format } : {}),
    fileName: (line) => importFileName(inputId, line),
    options: { ...options, prefix },
    onError: deps.onError,
    signal: deps.signal,
  });
  const counts = { records: 0, events: 0, quarantined: 0 };
  const progress = (): ImportProgress => ({ inputId, prefix, ...counts, ...writer.totals() });
  const context = { source: options.source, inputId };

  for await (const record of input.records) {
    const message = toImportedMessage(record, context);
    counts.records++;
    if (message.kind === 'event') counts.events++;
    else counts.quarantined++;
    await writer.add({
      partition: partitionOf(message),
      id: message.id,
      body: message.body,
      ordinal: record.line,
      time: message.time,
    });
    if (counts.records % options.progressEvery === 0) deps.onProgress?.(progress());
  }
  await writer.finish();
  const done = progress();
  deps.onProgress?.(done);
  return done;
}
