import type { RepeatWindowStats } from './dedup/repeat-window.js';

/** What a forwarder has done so far, for logs, metrics and tests. */
export interface ForwarderStats {
  /** Entries read from the queue (re-reads included). */
  read: number;
  /** Entries skipped because an uploaded file already holds them (re-read after a restart). */
  skipped: number;
  /** Events dropped because their messageId was kept before, within the dedup window. */
  repeatsDropped: number;
  /** Entries acknowledged to the queue. */
  acked: number;
  /** Files uploaded, and the lines and compressed bytes in them. */
  filesWritten: number;
  linesWritten: number;
  bytesWritten: number;
  /** What waits in buffers now: uncompressed bytes, lines, partitions. */
  bufferedBytes: number;
  bufferedLines: number;
  bufferedPartitions: number;
  /**
   * Uncompressed bytes of files being uploaded but not yet acknowledged. With `bufferedBytes`
   * this is the memory the data holds: at most `maxBufferedBytes` plus one event.
   */
  uploadingBytes: number;
  /** The dedup window: ids held, exact lookups, slots forgotten early. */
  dedup: RepeatWindowStats;
  /** Failed store or queue calls (each was retried), and the last one's message. */
  failures: number;
  lastError: string | undefined;
  /** True while a call is failing and being retried: reading is paused. */
  retrying: boolean;
  /** Since when (ms since the epoch) calls have been failing without a success, if they are. */
  failingSince: number | undefined;
  /** When the oldest entry read and not yet acknowledged was read (its buffer opened). */
  oldestHeldAt: number | undefined;
  /** Entries in the queue not yet acknowledged, where the queue knows it (the embedded log). */
  backlog: number | undefined;
  running: boolean;
}

export interface BufferedTotals {
  bytes: number;
  uploadingBytes: number;
  lines: number;
  partitions: number;
  /** When the oldest buffer still held (buffered or being uploaded) was opened. */
  oldestOpenedAt?: number;
}

type Counted = 'read' | 'skipped' | 'repeatsDropped' | 'acked';

/** The forwarder's counters, updated as it goes. */
export interface StatsCounter {
  count(what: Counted, n?: number): void;
  uploaded(lines: number, bytes: number): void;
  failed(error: unknown): void;
  /** +1 when a call starts failing, -1 when it finally succeeds or is given up; `at` is now. */
  failingCall(delta: 1 | -1, at: number): void;
  setRunning(running: boolean): void;
  snapshot(buffered: BufferedTotals, dedup: RepeatWindowStats, backlog?: number): ForwarderStats;
}

/** Creates zeroed counters. */
export function createStatsCounter(): StatsCounter {
  const counts = { read: 0, skipped: 0, repeatsDropped: 0, acked: 0 };
  let filesWritten = 0;
  let linesWritten = 0;
  let bytesWritten = 0;
  let failures = 0;
  let lastError: string | undefined;
  let failingCalls = 0;
  let failingSince: number | undefined;
  let running = false;
  return {
    count(what, n = 1) {
      counts[what] += n;
    },
    uploaded(lines, bytes) {
      filesWritten++;
      linesWritten += lines;
      bytesWritten += bytes;
    },
    failed(error) {
      failures++;
      lastError = error instanceof Error ? error.message : String(error);
    },
    failingCall(delta, at) {
      if (failingCalls === 0 && delta === 1) failingSince = at;
      failingCalls += delta;
      if (failingCalls === 0) failingSince = undefined;
    },
    setRunning(value) {
      running = value;
    },
    snapshot(buffered, dedup, backlog) {
      return {
        ...counts,
        filesWritten,
        linesWritten,
        bytesWritten,
        bufferedBytes: buffered.bytes,
        bufferedLines: buffered.lines,
        bufferedPartitions: buffered.partitions,
        uploadingBytes: buffered.uploadingBytes,
        dedup,
        failures,
        lastError,
        retrying: failingCalls > 0,
        failingSince,
        oldestHeldAt: buffered.oldestOpenedAt,
        backlog,
        running,
      };
    },
  };
}
