// Prometheus metrics for the Node collector (prom-client), fed through the core's observer.
import { metricsIn } from '@sluice/queue/metrics';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { CollectorObserver } from './observe.js';
import { RECENT_IDS } from './recent-ids.js';
import { transportLabel } from './request-transport.js';
import type { UsageCounters } from './source-usage.js';

/** Sources named in the usage gauges: the most active today (a collector may serve 100,000). */
export const DEFAULT_TOP_SOURCES = 20;
/** Sources that get their own label on the event counters; later ones count as "_other". */
export const MAX_SOURCE_LABELS = 100;

/** Latency buckets in seconds: an fsync'd group commit takes a few ms, a slow disk 100s of ms. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/**
 * Event time to arrival, in seconds: a batch waits up to its flush interval (2 s), a retry
 * backs off up to minutes, a beacon waits for the page to go, a resend from a later visit days.
 */
const DELAY_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 86_400];

export interface PrometheusObserverOptions {
  /** Where the metrics are registered (default: a new registry with Node's process metrics). */
  registry?: Registry;
  /** Messages waiting in the queue, read at each scrape; no gauge when not given. */
  queueDepth?: () => number | undefined;
  /** Per-source usage: feeds the `sluice_source_*_today` gauges of the top sources. */
  usage?: UsageCounters;
  /** How many sources those gauges name (default DEFAULT_TOP_SOURCES). */
  topSources?: number;
  /**
   * Label the event counters with every source id (opt-in: one time series per source).
   * By default the first MAX_SOURCE_LABELS sources seen have their own, the rest "_other".
   */
  perSourceLabels?: boolean;
  /** The embedded log's stats, read at each scrape; no log counters when not given. */
  logStats?: () => LogCounts | undefined;
}

/** What the embedded log's stats count (see `LogQueueStats`). */
export interface LogCounts {
  corruptBytes: number;
  damagedRanges: number;
  /** fdatasync calls, one a group commit with durability fsync. */
  syncs: number;
}

/** The collector's metrics: an observer to hand to the app and what `/metrics` serves. */
export interface PrometheusObserver {
  observer: CollectorObserver;
  registry: Registry;
  metrics(): Promise<{ contentType: string; body: string }>;
}

/** Creates the collector's Prometheus metrics (names start with `sluice_`). */
export function createPrometheusObserver(
  options: PrometheusObserverOptions = {},
): PrometheusObserver {
  let registry = options.registry;
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  const registers = [registry];
  const m = metricsIn(registry);
  const requests = m.counter(
    'sluice_http_requests_total',
    'HTTP requests answered, by route pattern, method and status',
    ['route', 'method', 'status'],
  );
  const latency = m.histogram(
    'sluice_http_request_duration_seconds',
    'Time from a request to its answer, by route pattern',
    LATENCY_BUCKETS,
    ['route'],
  );
  const refused = m.counter(
    'sluice_http_requests_refused_total',
    'Requests refused, by error code (nothing of them was queued)',
    ['code'],
  );
  const accepted = m.counter(
    'sluice_events_accepted_total',
    'Valid events the queue acknowledged, by source; copies included: a resend of a messageId counts again (see sluice_events_repeated_total; the forwarder drops repeats)',
    ['source'],
  );
  const repeated = m.counter(
    'sluice_events_repeated_total',
    `Acknowledged events whose source and messageId this process acknowledged shortly before (within its last ${RECENT_IDS.toLocaleString('en')}): resends, counted in accepted too, dropped by storage`,
    ['source'],
  );
  const quarantined = m.counter(
    'sluice_events_quarantined_total',
    'Invalid events answered as rejected and kept in quarantine, by source and reason',
    ['source', 'reason'],
  );
  const planViolations = m.counter(
    'sluice_plan_violations_total',
    "Events that broke their source's tracking plan (quarantined or flagged), by source and event: a name the plan lists, <type>:* or _unplanned",
    ['source', 'event'],
  );
  // The delivery ledger's live part (the gaps need the store: `sluice quality`).
  const delivered = m.counter(
    'sluice_events_delivered_total',
    "Valid events acknowledged, by source and transport (beacon, fetch, pixel; resend for the tag's retries; unknown without Fetch Metadata)",
    ['source', 'transport'],
  );
  const delay = m.histogram(
    'sluice_event_delay_seconds',
    'Time from an event (its skew-corrected time) to its arrival at the collector, by transport',
    DELAY_BUCKETS,
    ['transport'],
  );
  const { queueDepth } = options;
  if (queueDepth) {
    m.gauge('sluice_queue_depth', 'Messages held in the queue and not yet removed', queueDepth);
  }

  const { usage } = options;
  if (usage) {
    const top = options.topSources ?? DEFAULT_TOP_SOURCES;
    const today = (
      name: string,
      help: string,
      value: (u: { dayEvents: number; dayBytes: number }) => number,
    ) =>
      new Gauge({
        name,
        help,
        labelNames: ['source'] as const,
        registers,
        collect() {
          // Reset each scrape: the set of top sources changes, and the rest must not linger.
          this.reset();
          for (const { sourceId, usage: u } of usage.top(top, Date.now())) {
            this.set({ source: sourceId }, value(u));
          }
        },
      });
    today(
      'sluice_source_events_today',
      `Events counted today (UTC), for the ${top} sources with the most`,
      (u) => u.dayEvents,
    );
    today(
      'sluice_source_bytes_today',
      `Request bytes counted today (UTC), for the ${top} sources with the most events`,
      (u) => u.dayBytes,
    );
  }
  // Bounded: 100,000 sources would otherwise make 100,000 series of each counter.
  const seen = new Set<string>();
  const sourceLabel = (id: string) => {
    if (options.perSourceLabels || seen.has(id)) return id;
    if (seen.size >= MAX_SOURCE_LABELS) return '_other';
    seen.add(id);
    return id;
  };
  const { logStats } = options;
  if (logStats) {
    m.total(
      'sluice_log_corrupt_bytes_total',
      'Damaged bytes of the embedded log skipped by its readers (torn tails of a crash not counted)',
      () => logStats()?.corruptBytes,
    );
    m.total(
      'sluice_log_damaged_ranges_total',
      'Damaged byte ranges of the embedded log met, each kept in <log>/damaged/',
      () => logStats()?.damagedRanges,
    );
    m.total(
      'sluice_log_syncs_total',
      "fdatasync calls of the embedded log's group commits (none with durability=none)",
      () => logStats()?.syncs,
    );
  }

  // prom-client looks a labelled child up by hashing the label object on every call (a few µs
  // a request); the children of the few label sets a collector sees are kept here instead.
  const requestsBy = labelled((key) =>
    requests.labels(...(key.split('\n') as [string, string, string])),
  );
  const latencyBy = labelled((route) => latency.labels(route));
  const acceptedBy = labelled((source) => accepted.labels(source));
  const deliveredBy = labelled((key) => delivered.labels(...(key.split('\n') as [string, string])));
  const delayBy = labelled((transport) => delay.labels(transport));

  const observer: CollectorObserver = {
    requestFinished(report) {
      requestsBy(`${report.route}\n${report.method}\n${report.status}`).inc();
      latencyBy(report.route).observe(report.seconds);
      if (report.code) refused.inc({ code: report.code });
    },
    eventsIngested(report) {
      const source = sourceLabel(report.source);
      if (report.accepted > 0) acceptedBy(source).inc(report.accepted);
      if (report.repeated) repeated.inc({ source }, report.repeated);
      // Only the collector's own values: never a label a client chose.
      const transport = transportLabel(report.transport);
      if (report.accepted > 0) deliveredBy(`${source}\n${transport}`).inc(report.accepted);
      const delays = report.delaysMs ?? [];
      const delayHistogram = delays.length > 0 ? delayBy(transport) : undefined;
      for (const ms of delays) delayHistogram?.observe(Math.max(ms, 0) / 1000);
      for (const reason of report.quarantined) quarantined.inc({ source, reason });
      // Labels come from the plan file, never from what a client sent: bounded by the plan.
      for (const event of report.planViolations ?? []) planViolations.inc({ source, event });
    },
  };
  const target = registry;
  return {
    observer,
    registry: target,
    metrics: async () => ({ contentType: target.contentType, body: await target.metrics() }),
  };
}

/** Remembers `make(key)` per key: the label sets are few (routes, methods, statuses, sources). */
function labelled<T>(make: (key: string) => T): (key: string) => T {
  const children = new Map<string, T>();
  return (key) => {
    let child = children.get(key);
    if (child === undefined) {
      child = make(key);
      children.set(key, child);
    }
    return child;
  };
}
