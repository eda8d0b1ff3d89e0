// Prometheus metrics of the forwarders of this process (prom-client): totals read from their
// stats at each scrape, histograms and labelled counters fed by the ForwarderObserver.
import { metricsIn } from '@sluice/queue/metrics';
import type { Registry } from 'prom-client';
import type { ForwarderObserver } from './forwarder-observer.js';
import type { ForwarderStats } from './stats.js';

/** Seconds: a put to a nearby bucket takes 10s of ms, a checkpoint a few ms. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface ForwarderMetrics {
  /** Hand to `startForwarding` (`observer`). */
  observer: ForwarderObserver;
  /** Where the stats come from once forwarding runs; nothing is reported before. */
  watch(source: { stats(): ForwarderStats[]; owned(): number[] }): void;
  /** Counts a shard lease change (`onShardEvent` of a sharded JetStream queue). */
  shardEvent(type: 'acquired' | 'released' | 'lost'): void;
}

/** Registers the forwarder's metrics (names start with `sluice_forwarder_`) in `registry`. */
export function createForwarderMetrics(registry: Registry, now = Date.now): ForwarderMetrics {
  const m = metricsIn(registry);
  let source: { stats(): ForwarderStats[]; owned(): number[] } | undefined;
  const sum = (pick: (s: ForwarderStats) => number) =>
    (source?.stats() ?? []).reduce((total, s) => total + pick(s), 0);
  // Nothing is reported before forwarding runs.
  const gauge = (name: string, help: string, read: () => number | undefined) =>
    m.gauge(name, help, () => (source ? read() : undefined));
  gauge(
    'sluice_forwarder_backlog_events',
    'Entries in the queue not yet forwarded and acknowledged (embedded log only)',
    () => {
      const all = source?.stats() ?? [];
      if (all.some((s) => s.backlog === undefined)) return undefined;
      return sum((s) => s.backlog ?? 0);
    },
  );
  gauge(
    'sluice_forwarder_backlog_seconds',
    'Age of the oldest event read and not yet forwarded (0 when none is held)',
    () => {
      const oldest = Math.min(...(source?.stats() ?? []).map((s) => s.oldestHeldAt ?? Infinity));
      return Number.isFinite(oldest) ? Math.max(0, (now() - oldest) / 1000) : 0;
    },
  );
  gauge('sluice_forwarder_buffered_bytes', 'Uncompressed bytes waiting in partition buffers', () =>
    sum((s) => s.bufferedBytes + s.uploadingBytes),
  );
  gauge('sluice_forwarder_failing', '1 while a store or queue call is failing and retried', () =>
    (source?.stats() ?? []).some((s) => s.retrying) ? 1 : 0,
  );
  gauge(
    'sluice_forwarder_shards_owned',
    'Shards this process forwards now',
    () => source?.owned().length,
  );
  const totals: [string, string, (s: ForwarderStats) => number][] = [
    [
      'sluice_forwarder_events_read_total',
      'Entries read from the queue (re-reads included)',
      (s) => s.read,
    ],
    ['sluice_forwarder_events_acked_total', 'Entries acknowledged to the queue', (s) => s.acked],
    [
      'sluice_forwarder_repeats_dropped_total',
      'Events dropped as repeats of a messageId already kept (dedup hits)',
      (s) => s.repeatsDropped,
    ],
    ['sluice_forwarder_lines_written_total', 'Lines in uploaded files', (s) => s.linesWritten],
  ];
  // Counters from the stats' totals: the increase since the last scrape.
  for (const [name, help, pick] of totals) m.total(name, help, () => sum(pick));
  const files = m.counter('sluice_forwarder_files_written_total', 'Files uploaded, by format', [
    'format',
  ]);
  const bytes = m.counter(
    'sluice_forwarder_bytes_written_total',
    'Bytes of uploaded files (compressed), by format',
    ['format'],
  );
  const uploads = m.histogram(
    'sluice_forwarder_upload_duration_seconds',
    'Time of one successful file upload',
    LATENCY_BUCKETS,
  );
  const commits = m.histogram(
    'sluice_forwarder_commit_duration_seconds',
    'Time to save a checkpoint (the commit before the acknowledgement)',
    LATENCY_BUCKETS,
  );
  const retries = m.counter(
    'sluice_forwarder_retries_total',
    'Failed store or queue calls, each retried after a backoff, by call (upload, ack, read, ...)',
    ['call'],
  );
  const leases = m.counter(
    'sluice_forwarder_shard_lease_changes_total',
    'Shard leases acquired, released or lost (sharded JetStream)',
    ['change'],
  );
  return {
    observer: {
      fileUploaded(report) {
        files.inc({ format: report.format });
        bytes.inc({ format: report.format }, report.bytes);
        uploads.observe(report.seconds);
      },
      committed: (seconds) => commits.observe(seconds),
      callFailed: (call) => retries.inc({ call }),
    },
    watch(watched) {
      source = watched;
    },
    shardEvent: (change) => leases.inc({ change }),
  };
}
