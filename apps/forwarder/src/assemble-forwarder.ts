// The one place a Node forwarder is put together: every way of running one (`sluice start`,
// `sluice forwarder`, each JetStream shard, the benchmarks) comes through here, so each gets
// the same dedup index on disk, the same streaming encoders and the same formats.

import { join } from 'node:path';
import type { FileFormat, FileFormatName } from '@sluice/layout';
import type { QueueConsumer } from '@sluice/queue';
import type { ObjectStore } from '@sluice/store';
import { createMemoryDedupIndex, type DedupIndex } from './dedup/dedup-index.js';
import { type DedupFileModes, openLmdbDedupIndex } from './dedup/lmdb-dedup-index.js';
import type { RepeatWindow } from './dedup/repeat-window.js';
import { gzipNdjson } from './formats/gzip.js';
import { zstdParquet } from './formats/parquet-zstd.js';
import { zstdNdjson } from './formats/zstd.js';
import { createForwarder, type Forwarder } from './forwarder.js';
import type { ForwarderObserver } from './forwarder-observer.js';
import { type ForwarderOptionsInput, parseForwarderOptions } from './options.js';
import type { IcebergTable } from './table/iceberg-table.js';

/** The Node encoders by option name. Parquet holds events; quarantined messages stay gzip NDJSON. */
export const FILE_FORMATS: Record<FileFormatName, FileFormat> = {
  'ndjson-gzip': gzipNdjson,
  'ndjson-zstd': zstdNdjson,
  parquet: zstdParquet,
};

/** What a forwarder over a Node process needs besides its consumer. */
export interface ForwarderSetup {
  store: ObjectStore;
  options?: ForwarderOptionsInput;
  /**
   * A local directory for the forwarder's state: the dedup index of stored messageIds
   * (`<stateDir>/dedup/<consumer>/`, LMDB). Put it beside the queue's log: both belong to this
   * machine. Without it the index lives in memory and a restart forgets which ids were stored.
   */
  stateDir?: string;
  /** Permissions of the files and folders of `stateDir`. Default owner-only (0o600, 0o700). */
  stateModes?: DedupFileModes;
  /**
   * The Iceberg table the events files are committed to (Parquet only): one per process, shared
   * by every forwarder assembled with this setup, so their commits are serialized.
   */
  table?: IcebergTable;
  /** Told about failed store or queue calls (they are retried). Default: a line on stderr. */
  onError?: (error: unknown, during: string) => void;
  /** Told about uploads, commits and failures as they happen (forwarder-metrics.ts). */
  observer?: ForwarderObserver;
  now?: () => number;
}

export interface AssembledForwarder {
  forwarder: Forwarder;
  /** Closes the dedup index; call once the forwarder has ended. */
  close(): Promise<void>;
}

/** One partition of the embedded log among several, sharing one dedup window. */
export interface LogPartitionOf {
  logPartition: number;
  repeatWindow: RepeatWindow;
}

/**
 * A forwarder over `consumer`, checkpointed as `consumerName`, with its dedup index in
 * `<stateDir>/dedup/<consumerName>` (or in memory) and the format the options name; for a log
 * partition (`partition`), with the window shared by all partitions instead.
 * Throws on invalid options, naming the setting.
 */
export async function assembleForwarder(
  consumer: QueueConsumer,
  consumerName: string,
  setup: ForwarderSetup,
  partition?: LogPartitionOf,
): Promise<AssembledForwarder> {
  const options = parseForwarderOptions(setup.options);
  const dedupIndex: DedupIndex = partition
    ? createMemoryDedupIndex()
    : await openDedupIndex(setup, consumerName);
  const forwarder = createForwarder({
    consumer,
    store: setup.store,
    format: FILE_FORMATS[options.format],
    quarantineFormat: gzipNdjson,
    dedupIndex,
    consumerName,
    logPartition: partition?.logPartition,
    repeatWindow: partition?.repeatWindow,
    options: setup.options,
    now: setup.now,
    onError: setup.onError ?? logError(consumerName),
    observer: setup.observer,
    table: setup.table,
  });
  return { forwarder, close: () => dedupIndex.close() };
}

/** The index in `<stateDir>/dedup/<consumerName>` (LMDB), or in memory without `stateDir`. */
export async function openDedupIndex(
  setup: ForwarderSetup,
  consumerName: string,
): Promise<DedupIndex> {
  return setup.stateDir
    ? openLmdbDedupIndex(
        join(setup.stateDir, 'dedup', encodeURIComponent(consumerName)),
        setup.stateModes,
      )
    : createMemoryDedupIndex();
}

function logError(consumerName: string) {
  return (error: unknown, during: string): void => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`sluice forwarder ${consumerName}: ${during} failed, retrying: ${message}`);
  };
}
