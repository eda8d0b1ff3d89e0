// The Node entry: opens the queue consumer, picks the file format, keeps the dedup index on
// disk, runs the forwarder.

import { join } from 'node:path';
import type { Queue } from '@sluice/queue';
import type { ObjectStore } from '@sluice/store';
import { createMemoryDedupIndex, type DedupIndex } from './dedup/dedup-index.js';
import { type DedupFileModes, openLmdbDedupIndex } from './dedup/lmdb-dedup-index.js';
import type { FileFormat, FileFormatName } from './file-format.js';
import { gzipLevel6, gzipNdjson } from './formats/gzip.js';
import { parquetEvents } from './formats/parquet.js';
import { zstdNdjson } from './formats/zstd.js';
import { createForwarder } from './forwarder.js';
import { type ForwarderOptionsInput, parseForwarderOptions } from './options.js';
import type { ForwarderStats } from './stats.js';

export { gzipLevel6 };

/** The Node encoders by option name. Parquet holds events; quarantined messages stay gzip NDJSON. */
export const FILE_FORMATS: Record<FileFormatName, FileFormat> = {
  'ndjson-gzip': gzipNdjson,
  'ndjson-zstd': zstdNdjson,
  parquet: parquetEvents,
};

export interface StartForwarderOptions {
  queue: Queue;
  store: ObjectStore;
  /** The queue consumer's name, which also names the checkpoint. Default 'forwarder'. */
  consumerName?: string;
  options?: ForwarderOptionsInput;
  /**
   * A local directory for the forwarder's state: the dedup index of stored messageIds
   * (`<stateDir>/dedup/<consumer>/`, LMDB). Put it beside the queue's log: both belong to this
   * machine. Without it the index lives in memory and a restart forgets which ids were stored.
   */
  stateDir?: string;
  /** Permissions of the files and folders of `stateDir`. Default owner-only (0o600, 0o700). */
  stateModes?: DedupFileModes;
  /** Told about failed store or queue calls (they are retried). Default: a line on stderr. */
  onError?: (error: unknown, during: string) => void;
  now?: () => number;
}

export interface RunningForwarder {
  /** Stops reading, uploads and acknowledges everything buffered, then closes the consumer. */
  stop(): Promise<void>;
  stats(): ForwarderStats;
  /** Settles when the forwarder ends: after `stop()`, or rejected on an unrecoverable error. */
  done: Promise<void>;
}

/** Starts forwarding `queue` into `store` in the background. */
export async function startForwarder(start: StartForwarderOptions): Promise<RunningForwarder> {
  const consumerName = start.consumerName ?? 'forwarder';
  const options = parseForwarderOptions(start.options);
  const dedupIndex: DedupIndex = start.stateDir
    ? await openLmdbDedupIndex(
        join(start.stateDir, 'dedup', encodeURIComponent(consumerName)),
        start.stateModes,
      )
    : createMemoryDedupIndex();
  const consumer = await start.queue.consumer(consumerName).catch(async (error: unknown) => {
    await dedupIndex.close();
    throw error;
  });
  const forwarder = createForwarder({
    consumer,
    store: start.store,
    format: FILE_FORMATS[options.format],
    quarantineFormat: gzipNdjson,
    dedupIndex,
    consumerName,
    options: start.options,
    now: start.now,
    onError: start.onError ?? logError,
  });
  const done = forwarder.run();
  // An unrecoverable error (e.g. a corrupt checkpoint) is reported, never an unhandled rejection.
  done.catch((error: unknown) => console.error('sluice forwarder stopped:', error));
  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= forwarder
        .stop()
        .finally(() => consumer.close())
        .finally(() => dedupIndex.close());
      return stopped;
    },
    stats: () => forwarder.stats(),
    done,
  };
}

function logError(error: unknown, during: string): void {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`sluice forwarder: ${during} failed, retrying: ${message}`);
}
