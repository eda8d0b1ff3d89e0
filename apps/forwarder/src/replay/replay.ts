// Re-delivers a range of the queue into files, for a lost bucket, a new destination or a fix
// downstream. Where it writes and why nothing is counted twice:
// - into `<prefix>events/…` and `<prefix>quarantine/…`, the live layout under a prefix that
//   defaults to `replay/<from>-<to>[_<since>-<until>]/` (`replayPrefixOf`, @sluice/layout):
//   never under the live forwarder's keys, whose file boundaries followed the wall clock and
//   cannot be reproduced, and a folder per request, so two different replays never mix;
// - inside that folder each entry of the range is in exactly one file (repeats of a messageId
//   inside one file are dropped, as live), and a second run of the same request writes the
//   same keys with the same bytes (bulk-writer.ts), so it overwrites instead of adding.
// A time range is a filter on the event time of the header: the log has no time index, so
// the whole position range is scanned (narrow it with `from`/`to` when they are known).

import { type FileFormat, partitionOf, positionFileName, replayPrefixOf } from '@sluice/layout';
import type { QueueEntry } from '@sluice/queue';
import type { ObjectStore } from '@sluice/store';
import { createBulkWriter } from '../bulk/bulk-writer.js';
import { parseReplayOptions, type ReplayOptionsInput } from './replay-options.js';

/** Where replayed entries come from; `openLogReader` of `@sluice/queue` is one. */
export interface ReplaySource {
  range(): Promise<{ first: number; next: number }>;
  read(from: number, to: number, batchSize?: number): AsyncIterable<readonly QueueEntry[]>;
}

export interface ReplayDeps {
  source: ReplaySource;
  store: ObjectStore;
  /** Deterministic compression: the Node entry passes gzip level 6 (`gzipLevel6`). */
  compress: (data: Uint8Array) => Promise<Uint8Array>;
  /** The format of event files (the Node entry: `FILE_FORMATS[name]`); default gzip NDJSON. */
  format?: FileFormat;
  /** Called after every batch read, and once at the end. */
  onProgress?: (progress: ReplayProgress) => void;
  /** Told about every failed upload before it is retried. */
  onError?: (error: unknown, during: string) => void;
  /** Stops retrying a failing store: the replay then rejects. */
  signal?: AbortSignal;
}

/** How far a replay got. */
export interface ReplayProgress {
  /** The resolved range `[from, to)` and the prefix written to. */
  from: number;
  to: number;
  prefix: string;
  /** Positions read so far (the next one to read is `from + read`), and their bodies' bytes. */
  read: number;
  bytesRead: number;
  /** Entries outside the time range, left out. */
  outsideTimeRange: number;
  /** Lines in files, repeats dropped, files uploaded, uncompressed and compressed bytes. */
  lines: number;
  repeatsDropped: number;
  files: number;
  bytesIn: number;
  bytesOut: number;
}

/** Replays `[from, to)` of `source` into `store`; resolves with the final progress. */
export async function replayQueue(
  deps: ReplayDeps,
  input: ReplayOptionsInput = {},
): Promise<ReplayProgress> {
  const options = parseReplayOptions(input);
  const held = await deps.source.range();
  const from = options.from ?? held.first;
  const to = options.to ?? held.next;
  if (from > to) throw new RangeError(`from ${from} is past to ${to}`);
  if (to > held.next) throw new RangeError(`to ${to} is past the end of the log (${held.next})`);
  if (from < held.first) {
    throw new RangeError(
      `from ${from} is no longer in the log: it holds ${held.first}-${held.next}`,
    );
  }
  const { since, until } = options;
  const prefix = options.prefix ?? replayPrefixOf({ from, to, since, until });
  const writer = createBulkWriter({
    store: deps.store,
    compress: deps.compress,
    ...(deps.format ? { format: deps.format } : {}),
    fileName: positionFileName,
    options: { ...options, prefix },
    onError: deps.onError,
    signal: deps.signal,
  });
  let read = 0;
  let bytesRead = 0;
  let outsideTimeRange = 0;
  const progress = (): ReplayProgress => {
    const { lines, repeatsDropped, files, bytesIn, bytesOut } = writer.totals();
    return {
      from,
      to,
      prefix,
      read,
      bytesRead,
      outsideTimeRange,
      lines,
      repeatsDropped,
      files,
      bytesIn,
      bytesOut,
    };
  };

  for await (const batch of deps.source.read(from, to, options.readBatchSize)) {
    for (const entry of batch) {
      read++;
      bytesRead += entry.body.byteLength;
      if (
        (since !== undefined && entry.time < since) ||
        (until !== undefined && entry.time >= until)
      ) {
        outsideTimeRange++;
        continue;
      }
      await writer.add({
        partition: partitionOf(entry),
        id: entry.id,
        // A copy: the entry's body is a view into a 256 KiB read chunk, which a line kept
        // for long in a quiet partition would otherwise hold in memory whole.
        body: entry.body.slice(),
        ordinal: entry.position,
        time: entry.time,
      });
    }
    deps.onProgress?.(progress());
  }
  await writer.finish();
  const done = progress();
  deps.onProgress?.(done);
  return done;
}
