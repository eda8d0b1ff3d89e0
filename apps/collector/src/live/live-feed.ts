// The live view's feed. The request path pays one boolean check per request, plus, only while
// a viewer is connected, one push of the acknowledged messages into a bounded buffer; events
// are parsed and described later, on the feed's timer, off the request path.
import type { QueueMessage, QueueProducer } from '@sluice/queue';
import { DEFAULT_MAX_VIEWERS } from '../config-admin.js';
import type { CollectorObserver, RequestReport } from '../observe.js';
import { createDeliveryCounts, type DeliveryCount } from './delivery-counts.js';
import { describeMessage, describeRefusal, type LiveEvent } from './live-event.js';
import { createMinuteCounts, type MinuteCount } from './minute-counts.js';
import { createViolationCounts, type ViolationCount } from './violation-counts.js';

/** What a viewer receives: new rows, how many were left out, the per-minute counts. */
export interface LiveUpdate {
  now: number;
  events: LiveEvent[];
  /** Events that arrived too fast to be shown one by one since the last update. */
  skipped: number;
  counts: MinuteCount[];
  /** Tracking-plan violations by source and event since the collector started, most first. */
  violations: ViolationCount[];
  /** The delivery ledger since the collector started: events and delay per source and transport. */
  delivery: DeliveryCount[];
}

export interface LiveViewer {
  send(update: LiveUpdate): void;
  /** Called when the feed closes (the collector shuts down). */
  end(): void;
}

export interface LiveFeed {
  /** The queue as the tracking routes should see it: appends are observed, not changed. */
  tapQueue(queue: QueueProducer): QueueProducer;
  /** An observer that counts per minute, then reports to `inner` as before. */
  observe(inner?: CollectorObserver): CollectorObserver;
  /** Adds a viewer; returns its unsubscribe function, or undefined when the feed is full. */
  subscribe(viewer: LiveViewer): (() => void) | undefined;
  /** The state a new viewer starts from: the counts, no rows. */
  snapshot(): LiveUpdate;
  viewers(): number;
  /** Ends every viewer's stream and stops the timer. */
  close(): void;
}

export interface LiveFeedOptions {
  now?: () => number;
  maxViewers?: number;
  /** How often viewers get an update (default 500 ms). */
  flushEveryMs?: number;
  /** Rows sent per update at most; the rest are counted as skipped (default 100). */
  maxEventsPerUpdate?: number;
  /** Messages held between updates at most; older ones are dropped first (default 2,000). */
  maxPending?: number;
  /** Rows of the violations table sent at most (default 20). */
  maxViolationRows?: number;
  /** Rows of the delivery table sent at most (default 50). */
  maxDeliveryRows?: number;
}

type Pending =
  | { at: number; messages: readonly QueueMessage[] }
  | { at: number; refusal: RequestReport };

// With nothing new, viewers still hear from the feed this often: proxies close silent streams.
const HEARTBEAT_MS = 15_000;

/** Creates the feed behind the live view. Runtime-free: it uses only timers and Web APIs. */
export function createLiveFeed(options: LiveFeedOptions = {}): LiveFeed {
  const now = options.now ?? Date.now;
  const maxViewers = options.maxViewers ?? DEFAULT_MAX_VIEWERS;
  const flushEveryMs = options.flushEveryMs ?? 500;
  const maxEvents = options.maxEventsPerUpdate ?? 100;
  const maxPending = options.maxPending ?? 2_000;
  const counts = createMinuteCounts(now);
  const violations = createViolationCounts(now);
  const maxViolationRows = options.maxViolationRows ?? 20;
  const delivery = createDeliveryCounts();
  const maxDeliveryRows = options.maxDeliveryRows ?? 50;
  const state = () => ({
    counts: counts.series(),
    violations: violations.top(maxViolationRows),
    delivery: delivery.table(maxDeliveryRows),
  });
  const viewers = new Set<LiveViewer>();
  let pending: Pending[] = [];
  let pendingCount = 0;
  let skipped = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  let countsChanged = false;
  let lastSent = 0;

  function hold(item: Pending, size: number): void {
    pending.push(item);
    pendingCount += size;
    while (pendingCount > maxPending && pending.length > 1) {
      const dropped = pending.shift()!;
      const n = 'messages' in dropped ? dropped.messages.length : 1;
      pendingCount -= n;
      skipped += n;
    }
  }

  function takeRows(): LiveEvent[] {
    const items = pending;
    pending = [];
    pendingCount = 0;
    const rows: LiveEvent[] = [];
    // Newest first: when there are too many, the latest are the ones worth seeing.
    for (let i = items.length - 1; i >= 0; i--) {
      const item = items[i]!;
      if ('refusal' in item) {
        if (rows.length < maxEvents) rows.push(describeRefusal(item.refusal, item.at));
        else skipped++;
        continue;
      }
      for (let j = item.messages.length - 1; j >= 0; j--) {
        if (rows.length < maxEvents) rows.push(describeMessage(item.messages[j]!, item.at));
        else skipped++;
      }
    }
    return rows.reverse();
  }

  function flush(): void {
    const events = takeRows();
    const at = now();
    if (events.length === 0 && skipped === 0 && !countsChanged && at - lastSent < HEARTBEAT_MS) {
      return;
    }
    const update: LiveUpdate = { now: at, events, skipped, ...state() };
    skipped = 0;
    countsChanged = false;
    lastSent = at;
    for (const viewer of viewers) viewer.send(update);
  }

  function stopTimer(): void {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
    pending = [];
    pendingCount = 0;
    skipped = 0;
  }

  return {
    tapQueue(queue) {
      return {
        append(messages) {
          const done = queue.append(messages);
          if (viewers.size > 0)
            done.then(() => hold({ at: now(), messages }, messages.length), noop);
          return done;
        },
        depth: queue.depth && (() => queue.depth?.() ?? 0),
        close: () => queue.close(),
      };
    },
    observe(inner) {
      return {
        requestFinished(report) {
          inner?.requestFinished(report);
          if (report.method !== 'POST' || report.status < 400 || !report.route.startsWith('/v1/')) {
            return;
          }
          counts.add('rejected', 1);
          countsChanged = true;
          if (viewers.size > 0) hold({ at: now(), refusal: report }, 1);
        },
        eventsIngested(report) {
          inner?.eventsIngested(report);
          counts.add('accepted', report.accepted);
          counts.add('quarantined', report.quarantined.length);
          if (report.planViolations) violations.add(report.source, report.planViolations);
          delivery.add(report);
          countsChanged = true;
        },
      };
    },
    subscribe(viewer) {
      if (viewers.size >= maxViewers) return undefined;
      viewers.add(viewer);
      timer ??= setInterval(flush, flushEveryMs);
      return () => {
        viewers.delete(viewer);
        if (viewers.size === 0) stopTimer();
      };
    },
    snapshot: () => ({ now: now(), events: [], skipped: 0, ...state() }),
    viewers: () => viewers.size,
    close() {
      for (const viewer of viewers) viewer.end();
      viewers.clear();
      stopTimer();
    },
  };
}

function noop(): void {}
