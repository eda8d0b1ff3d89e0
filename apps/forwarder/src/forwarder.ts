// Queue -> partition buffers -> gzip NDJSON files -> checkpoint -> ack.
//
// Why a re-run writes nothing twice and takes nothing back (even though rotation by age follows
// the wall clock): files are named by the first position they hold, and the checkpoint records,
// per partition, the last position already in an uploaded file (its watermark), and, saved
// before each put, the range of every file being uploaded. Within one partition a file is always
// followed by the partition's next entry, and uploads, the checkpoint and acks of one partition
// are sequential, so at most one file per partition is uploaded but not yet under a watermark.
// - Crash after the put, before the checkpoint: nothing of that file is acknowledged, so the
//   restart reads it again; entries up to the old watermark are skipped, and the partition's
//   next buffer starts at the same first position and is cut at the saved range's end, so the
//   same key gets the same lines again (partition-router.ts), never a shorter part of them.
// - Crash after the checkpoint, before the ack: the restart reads the entries again, and
//   each is at or below its partition's watermark: skipped and acknowledged.
// - Crash before the put: nothing was acknowledged or recorded; the entries are read again.
// Watermarks are pruned once every unacknowledged position is above them (checkpoint.ts).
// With an Iceberg table (deps.table), each events file is committed to it after its put and
// before the checkpoint: a crash after the commit repeats the put (same key, same lines) and
// the commit, which finds the file in the table and adds nothing (table/iceberg-table.ts).
// Repeats are dropped by messageId within a window whose ids are recorded, like the
// watermark, after the put and before the ack (the reasoning: dedup/repeat-window.ts).

import {
  checkpointKeyOf,
  type FileFormat,
  isQuarantinePartition,
  logPartitionFileName,
  ndjsonFormat,
  objectKeyOf,
} from '@sluice/layout';
import {
  ConsumerLostError,
  type QueueConsumer,
  RetryAbortedError,
  retryWithBackoff,
} from '@sluice/queue';
import type { ObjectStore } from '@sluice/store';
import { parseCheckpointState, saveCheckpoint } from './checkpoint.js';
import { createMemoryDedupIndex, type DedupIndex } from './dedup/dedup-index.js';
import { createRepeatWindow, type RepeatWindow } from './dedup/repeat-window.js';
import { callOf, type ForwarderObserver } from './forwarder-observer.js';
import {
  type ForwarderOptions,
  type ForwarderOptionsInput,
  parseForwarderOptions,
} from './options.js';
import { createPartitionRouter } from './partition-router.js';
import { createStatsCounter, type ForwarderStats } from './stats.js';
import type { IcebergTable } from './table/iceberg-table.js';

export interface ForwarderDeps {
  consumer: QueueConsumer;
  store: ObjectStore;
  /**
   * Compresses a file's NDJSON for the `ndjson-*` format named in the options (the Node entry
   * passes gzip level 6). Not needed when `format` is given.
   */
  compress?: (data: Uint8Array) => Promise<Uint8Array>;
  /** Encodes files; its name must be `options.format`. Default: NDJSON through `compress`. */
  format?: FileFormat;
  /** Encodes quarantine files. Default: `format`, unless that is Parquet (events only). */
  quarantineFormat?: FileFormat;
  /**
   * The exact index of stored messageIds. Default: in memory, forgotten on restart; the Node
   * entry keeps it on disk (`stateDir`).
   */
  dedupIndex?: DedupIndex;
  /** Wall clock for age rotation, ms since the epoch. Default `Date.now`. */
  now?: () => number;
  /** Names the checkpoint; use the queue consumer's name. Default 'forwarder'. */
  consumerName?: string;
  /**
   * The partition of the embedded log this consumer reads (`--workers N`); it prefixes the file
   * names of partitions >= 1 (`logPartitionFileName`). Default 0: today's names.
   */
  logPartition?: number;
  /**
   * The dedup window, when it is shared by the forwarders of every log partition (a repeat sent
   * to another worker lands in another partition: dedup/shared-repeat-window.ts). Default: a
   * window of this forwarder's own over `dedupIndex`.
   */
  repeatWindow?: RepeatWindow;
  /**
   * The Iceberg table the events files are committed to (Parquet only). Share one per process
   * among all forwarders and compaction: it serializes their commits.
   */
  table?: IcebergTable;
  /** Told about every failed store or queue call before it is retried. */
  onError?: (error: unknown, during: string) => void;
  options?: ForwarderOptionsInput;
  /** Told about uploads, commits and failures as they happen (metrics). */
  observer?: ForwarderObserver;
}

export interface Forwarder {
  /**
   * Reads and forwards until `stop()` (then flushes everything) or until `signal` aborts
   * (then returns at once without flushing, like a crash: unacknowledged entries are read
   * again by the next forwarder; this one must not be used again).
   */
  run(signal?: AbortSignal): Promise<void>;
  /**
   * Stops reading, flushes every buffer, and resolves once all of it is uploaded and
   * acknowledged, except a file a crash left uploaded but unrecorded that is not read whole
   * again yet: it stays unacknowledged (its old copy is in the store) and is read again later.
   */
  stop(): Promise<void>;
  /** Uploads every buffer now, whatever its size or age. */
  flushAll(): Promise<void>;
  stats(): ForwarderStats;
}

/** Creates a forwarder over a queue consumer and an object store; nothing happens until `run`. */
export function createForwarder(deps: ForwarderDeps): Forwarder {
  const options = parseForwarderOptions(deps.options);
  const now = deps.now ?? Date.now;
  const consumerName = deps.consumerName ?? 'forwarder';
  const counter = createStatsCounter();
  const observer = deps.observer ?? {};
  // Durations from the monotonic clock: wall-clock steps must not show up as latency.
  const seconds = (since: number) => (performance.now() - since) / 1000;
  const { format, quarantineFormat } = fileFormatsOf(deps, options);
  if (deps.table && format.name !== 'parquet') {
    throw new Error(`an Iceberg table holds Parquet files: options.format is ${format.name}`);
  }
  const logPartition = deps.logPartition ?? 0;
  const repeats =
    deps.repeatWindow ??
    createRepeatWindow(
      deps.dedupIndex ?? createMemoryDedupIndex(),
      {
        windowMs: options.dedupWindowMs,
        slotMs: options.dedupSlotMs,
        filterBytes: options.dedupMemoryBytes,
      },
      now,
    );
  let signal: AbortSignal | undefined;
  const stopReading = new AbortController();
  let running: Promise<void> | undefined;

  function retry<T>(during: string, action: () => Promise<T>, until = signal): Promise<T> {
    let failing = false;
    return retryWithBackoff(action, {
      initialMs: options.retryInitialMs,
      maxMs: options.retryMaxMs,
      signal: until,
      // The queue gave these entries to another forwarder: what is held is dropped unacknowledged.
      giveUp: (error) => error instanceof ConsumerLostError,
      onFailure(error) {
        if (!failing) counter.failingCall(1, now());
        failing = true;
        counter.failed(error);
        observer.callFailed?.(callOf(during));
        deps.onError?.(error, during);
      },
    }).finally(() => {
      if (failing) counter.failingCall(-1, now());
    });
  }

  const formatOf = (partition: string) =>
    isQuarantinePartition(partition) ? quarantineFormat : format;

  const router = createPartitionRouter({
    options,
    now,
    counter,
    admit: (entry) => repeats.admit(entry),
    writerFor: (partition) => formatOf(partition).openWriter,
    async writeFile(buffer) {
      const chosen = formatOf(buffer.partition);
      // A streamed file's lines are only in its writer: it is finished once, not retried (an
      // error there ends the run; nothing of the file was acknowledged, so it is read again).
      const body = buffer.streaming
        ? await buffer.finish()
        : await retry('encode', () => chosen.encode(buffer));
      const name = logPartitionFileName(logPartition, buffer.firstPosition);
      const key = objectKeyOf(buffer.partition, name, chosen.extension);
      await retry(`upload ${key}`, async () => {
        const started = performance.now();
        await deps.store.put(key, body, { contentType: chosen.contentType });
        const report = { format: chosen.name, bytes: body.byteLength, seconds: seconds(started) };
        observer.fileUploaded?.(report);
      });
      const table = deps.table;
      if (table && !isQuarantinePartition(buffer.partition)) {
        const file = { key, recordCount: buffer.lineCount, sizeBytes: body.byteLength };
        await retry(`commit ${key} to the table`, () => table.append([file]));
      }
      return body.byteLength;
    },
    recordStored: (entries) => retry('record stored ids', () => repeats.record(entries)),
    saveCheckpoint: (watermarks, resumeFrom, uploading) =>
      retry('save checkpoint', async () => {
        const started = performance.now();
        await saveCheckpoint(deps.store, consumerName, watermarks, resumeFrom, uploading);
        observer.committed?.(seconds(started));
      }),
    ack: (entries) => retry('ack', () => deps.consumer.ack(entries)),
  });

  // One lane for everything that touches buffers, so a flushAll never interleaves with the loop.
  let lane: Promise<unknown> = Promise.resolve();
  function exclusive<T>(task: () => Promise<T>): Promise<T> {
    const result = lane.then(task);
    lane = result.catch(() => {});
    return result;
  }

  async function loop(): Promise<void> {
    try {
      // Retries of the checkpoint load and of reads end on stop() too: nothing is buffered then.
      const key = checkpointKeyOf(consumerName);
      const stored = await retry('load checkpoint', () => deps.store.get(key), stopReading.signal);
      router.restore(parseCheckpointState(key, stored));
      await retry('load dedup index', () => repeats.load(), stopReading.signal);
      for (;;) {
        const entries = await retry(
          'read',
          () => deps.consumer.read(options.readBatchSize, options.readWaitMs),
          stopReading.signal,
        );
        if (signal?.aborted) return;
        await exclusive(() => router.route(entries));
      }
    } catch (error) {
      // A stop ends the loop this way; an abort (crash-like) or a real error goes up.
      if (!(error instanceof RetryAbortedError) || signal?.aborted) throw error;
    }
    await exclusive(() => router.flushAll());
  }

  return {
    run(runSignal) {
      if (running) return Promise.reject(new Error('forwarder is already running'));
      signal = runSignal;
      runSignal?.addEventListener('abort', () => stopReading.abort(), { once: true });
      counter.setRunning(true);
      running = loop()
        .catch((error: unknown) => {
          if (error instanceof RetryAbortedError && signal?.aborted) return;
          throw error;
        })
        .finally(() => counter.setRunning(false));
      return running;
    },
    async stop() {
      stopReading.abort();
      if (running) await running;
      else await exclusive(() => router.flushAll());
    },
    flushAll() {
      return exclusive(() => router.flushAll());
    },
    stats() {
      return counter.snapshot(router.buffered(), repeats.stats(), deps.consumer.pending?.());
    },
  };
}

function fileFormatsOf(
  deps: ForwarderDeps,
  options: ForwarderOptions,
): { format: FileFormat; quarantineFormat: FileFormat } {
  let format = deps.format;
  if (format && format.name !== options.format) {
    throw new Error(
      `options.format is ${options.format}, but the given format writes ${format.name}`,
    );
  }
  if (!format && deps.compress && options.format !== 'parquet') {
    format = ndjsonFormat(options.format, deps.compress);
  }
  if (!format)
    throw new Error(`format ${options.format} needs a FileFormat (startForwarder passes one)`);
  let quarantineFormat = deps.quarantineFormat;
  if (!quarantineFormat && format.name !== 'parquet') quarantineFormat = format;
  if (!quarantineFormat && deps.compress)
    quarantineFormat = ndjsonFormat('ndjson-gzip', deps.compress);
  if (!quarantineFormat)
    throw new Error('a Parquet forwarder needs a quarantineFormat for quarantined messages');
  return { format, quarantineFormat };
}
