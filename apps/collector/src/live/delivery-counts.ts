// The delivery ledger's live figures for the live view, since the collector started: events
// delivered and their delay (event time to arrival) per source and transport. A delay is
// counted in a fixed histogram, never kept, so memory is a few numbers per row however many
// events arrive; its p50/p99 are the upper bound of the bucket they fall in. Gaps are those
// this process can see (visit-gaps.ts); `sluice quality` counts them exactly, from the store.
import type { EventsReport } from '../observe.js';
import { transportLabel } from '../request-transport.js';
import { createVisitGaps, type VisitGaps } from './visit-gaps.js';

/** One row: a source and a transport, with its counts since the collector started. */
export interface DeliveryCount {
  source: string;
  /** `fetch`, `beacon`, `pixel`, `resend` (the tag's `?r`), or `unknown` (no Fetch Metadata). */
  transport: string;
  events: number;
  /** Numbers of visits seen here that have not arrived, counted on the row that showed them. */
  gaps: number;
  /**
   * The delay p50 and p99, ms: the upper bound of the histogram bucket they fall in; null when
   * over the last bound (DELAY_BOUNDS_MS); missing when no event of the row told its delay.
   */
  delayP50Ms?: number | null;
  delayP99Ms?: number | null;
}

/** The histogram's upper bounds, ms: a batch takes ms to seconds, a resend minutes to days. */
export const DELAY_BOUNDS_MS = [
  10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 300_000, 1_800_000,
  3_600_000, 86_400_000, 604_800_000,
];

/** The source the rows beyond the table's cap are counted under. */
export const OTHER_SOURCES = '(other sources)';

export interface DeliveryCounts {
  add(report: EventsReport): void;
  /** The rows by source, then transport, at most `limit`. */
  table(limit: number): DeliveryCount[];
}

type Row = { source: string; transport: string; events: number; gaps: number; buckets: number[] };

/** Counts per source and transport; beyond `maxRows` pairs, per transport under OTHER_SOURCES. */
export function createDeliveryCounts(
  maxRows = 200,
  visits: VisitGaps = createVisitGaps(),
): DeliveryCounts {
  const rows = new Map<string, Row>();
  const row = (source: string, transport: string): Row => {
    let key = `${source}\u0000${transport}`;
    let found = rows.get(key);
    if (found === undefined && rows.size >= maxRows) {
      source = OTHER_SOURCES;
      key = `${source}\u0000${transport}`;
      found = rows.get(key);
    }
    if (found === undefined) {
      found = {
        source,
        transport,
        events: 0,
        gaps: 0,
        buckets: new Array(DELAY_BOUNDS_MS.length + 1),
      };
      found.buckets.fill(0);
      rows.set(key, found);
    }
    return found;
  };
  return {
    add(report) {
      if (report.accepted <= 0) return;
      // Only the collector's own values, as in the metrics: never a label a client chose.
      const entry = row(report.source, transportLabel(report.transport));
      entry.events += report.accepted;
      for (const ms of report.delaysMs ?? []) entry.buckets[bucketOf(ms)]!++;
      for (const [visit, index] of report.sequence ?? []) {
        visits.see(`${report.source}\u0000${visit}`, index, entry);
      }
    },
    table(limit) {
      return [...rows.values()]
        .sort((a, b) => compare(a.source, b.source) || compare(a.transport, b.transport))
        .slice(0, limit)
        .map(({ source, transport, events, gaps, buckets }) => {
          const count: DeliveryCount = { source, transport, events, gaps };
          const delays = buckets.reduce((sum, n) => sum + n, 0);
          if (delays > 0) {
            count.delayP50Ms = quantile(buckets, delays, 0.5);
            count.delayP99Ms = quantile(buckets, delays, 0.99);
          }
          return count;
        });
    },
  };
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The first bucket whose bound holds `ms` (a negative delay, from a fast clock, is 0). */
function bucketOf(ms: number): number {
  let i = 0;
  while (i < DELAY_BOUNDS_MS.length && ms > DELAY_BOUNDS_MS[i]!) i++;
  return i;
}

/** The bound of the bucket holding the value of rank ⌈q·n⌉; null past the last bound. */
function quantile(buckets: readonly number[], n: number, q: number): number | null {
  const rank = Math.max(1, Math.ceil(q * n));
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    seen += buckets[i]!;
    if (seen >= rank) return DELAY_BOUNDS_MS[i] ?? null;
  }
  return null;
}
