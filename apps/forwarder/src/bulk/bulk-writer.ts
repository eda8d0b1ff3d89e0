// Writes the files of a replay or an import so that a second run writes the same keys with the
// same bytes. Every decision depends on the sequence of lines only, never on the clock or on
// how fast uploads go: a partition's file is cut by size, the largest partition is cut when
// all buffers exceed the memory bound, and a file is named by its first line's `ordinal`
// (a queue position, or a record index of an input), so the cuts and names repeat exactly.

import {
  encodeNdjson,
  type FileFormat,
  FORMATS,
  isQuarantinePartition,
  objectKeyOf,
} from '@sluice/layout';
import { retryWithBackoff } from '@sluice/queue';
import type { ObjectStore } from '@sluice/store';
import pLimit from 'p-limit';
import { createRepeatFilter, type RepeatFilter } from '../repeat-filter.js';
import type { BulkFileOptions } from './bulk-options.js';

/** One NDJSON line and where it goes. */
export interface BulkLine {
  /** The folder from `partitionOf`, e.g. `events/source=shop/dt=2026-11-24/hh=10/`. */
  partition: string;
  /** The messageId: a repeat inside one file is dropped, as the live forwarder does. */
  id: string;
  /** The line's bytes, without the newline. */
  body: Uint8Array;
  /** Increasing with input order; the first line's ordinal names its file. */
  ordinal: number;
  /** The event time its partition was chosen by, ms since the epoch (Parquet's `timestamp`). */
  time?: number;
}

export interface BulkWriterDeps {
  store: ObjectStore;
  /** gzip, for `.ndjson.gz` files; must be deterministic (a fixed level and mtime 0 are). */
  compress: (data: Uint8Array) => Promise<Uint8Array>;
  /**
   * The format of event files (deterministic, e.g. Parquet); default gzip NDJSON through
   * `compress`. Quarantine files stay gzip NDJSON (they hold another shape).
   */
  format?: FileFormat;
  /** The file name (without `.ndjson.gz`) of a file whose first line has `ordinal`. */
  fileName: (ordinal: number) => string;
  options: BulkFileOptions & { prefix: string };
  /** Told about every failed upload before it is retried. */
  onError?: (error: unknown, during: string) => void;
  /** Ends the retries of a failing store (the writer then rejects). */
  signal?: AbortSignal;
}

/** What a writer has done so far. */
export interface BulkTotals {
  /** Lines in files uploaded or being uploaded. */
  lines: number;
  /** Lines dropped because their messageId was already in the same file. */
  repeatsDropped: number;
  /** Files uploaded, and their uncompressed and compressed bytes. */
  files: number;
  bytesIn: number;
  bytesOut: number;
}

export interface BulkWriter {
  /** Buffers a line; resolves at once unless uploads are behind (then when one finishes). */
  add(line: BulkLine): Promise<void>;
  /** Cuts every buffer and resolves once everything is uploaded. */
  finish(): Promise<BulkTotals>;
  totals(): BulkTotals;
}

interface OpenFile {
  partition: string;
  name: string;
  lines: { body: Uint8Array; time: number }[];
  bytes: number;
  repeats: RepeatFilter;
}

const GZIP = FORMATS['ndjson-gzip'];

/** Creates a writer of deterministic files; see the module comment. */
export function createBulkWriter(deps: BulkWriterDeps): BulkWriter {
  const { options } = deps;
  const open = new Map<string, OpenFile>();
  const limit = pLimit(options.uploadConcurrency);
  const uploading = new Set<Promise<void>>();
  const totals: BulkTotals = { lines: 0, repeatsDropped: 0, files: 0, bytesIn: 0, bytesOut: 0 };
  let bufferedBytes = 0;
  let failure: { error: unknown } | undefined;

  async function cut(file: OpenFile): Promise<void> {
    open.delete(file.partition);
    bufferedBytes -= file.bytes;
    totals.lines += file.lines.length;
    throwIfFailed();
    const format = isQuarantinePartition(file.partition) ? undefined : deps.format;
    const extension = (format ?? GZIP).extension;
    const key = objectKeyOf(`${options.prefix}${file.partition}`, file.name, extension);
    // Returns once the upload has a slot: the caller reads on only while fewer than
    // `uploadConcurrency` files are uploading, so memory stays bounded.
    let started!: () => void;
    const slot = new Promise<void>((resolve) => {
      started = resolve;
    });
    const upload = limit(() => {
      started();
      return encodeAndPut(key, file.lines, format);
    })
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => uploading.delete(upload));
    uploading.add(upload);
    await slot;
  }

  async function encodeAndPut(
    key: string,
    lines: OpenFile['lines'],
    format: FileFormat | undefined,
  ): Promise<void> {
    const ndjson = encodeNdjson(lines.map((line) => line.body));
    const body = format
      ? await format.encode({ lines, toNdjson: () => ndjson })
      : await deps.compress(ndjson);
    const contentType = (format ?? GZIP).contentType;
    await retryWithBackoff(() => deps.store.put(key, body, { contentType }), {
      initialMs: options.retryInitialMs,
      maxMs: options.retryMaxMs,
      signal: deps.signal,
      onFailure: (error) => deps.onError?.(error, `upload ${key}`),
    });
    totals.files++;
    totals.bytesIn += ndjson.byteLength;
    totals.bytesOut += body.byteLength;
  }

  function throwIfFailed(): void {
    if (failure) throw failure.error;
  }

  function largest(): OpenFile {
    let found: OpenFile | undefined;
    // Ties go to the partition opened first (Map order): deterministic.
    for (const file of open.values()) if (!found || file.bytes > found.bytes) found = file;
    if (!found) throw new Error('no open file to cut');
    return found;
  }

  return {
    async add(line) {
      throwIfFailed();
      const lineBytes = line.body.byteLength + 1;
      let file = open.get(line.partition);
      if (file && file.bytes + lineBytes > options.maxFileBytes) {
        await cut(file);
        file = undefined;
      }
      if (!file) {
        file = {
          partition: line.partition,
          name: deps.fileName(line.ordinal),
          lines: [],
          bytes: 0,
          repeats: createRepeatFilter(),
        };
        open.set(line.partition, file);
      }
      if (file.repeats.isRepeat(line.id)) {
        totals.repeatsDropped++;
        return;
      }
      file.lines.push({ body: line.body, time: line.time ?? Number.NaN });
      file.bytes += lineBytes;
      bufferedBytes += lineBytes;
      if (file.bytes >= options.maxFileBytes) await cut(file);
      while (bufferedBytes > options.maxBufferedBytes) await cut(largest());
    },
    async finish() {
      for (const file of [...open.values()]) await cut(file);
      await Promise.all(uploading);
      throwIfFailed();
      return { ...totals };
    },
    totals: () => ({ ...totals }),
  };
}
