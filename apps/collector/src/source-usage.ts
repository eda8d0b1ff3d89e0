// What each source sent, counted live in this process: the quota's windows (UTC minute and
// day) and totals since start. One small record per source that sent anything; kept across
// config reloads, so a reload neither resets a quota nor loses the counts.
import type { Quota } from './config.js';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** One source's counts. */
export interface SourceUsage {
  minuteStartMs: number;
  minuteEvents: number;
  dayStartMs: number;
  dayEvents: number;
  dayBytes: number;
  totalEvents: number;
  totalBytes: number;
}

export interface UsageCounters {
  /**
   * Counts a request's events and bytes if the quota allows them: 0, or the seconds until
   * the window that is full starts again (the request is then not counted).
   */
  take(sourceId: string, quota: Quota | null, events: number, bytes: number, nowMs: number): number;
  /** The counts of one source (undefined: it sent nothing). */
  get(sourceId: string, nowMs: number): SourceUsage | undefined;
  /** The `count` sources with the most events today, most first. */
  top(count: number, nowMs: number): { sourceId: string; usage: SourceUsage }[];
  /** Sources counted. */
  readonly size: number;
}

const startOf = (nowMs: number, windowMs: number) => nowMs - (nowMs % windowMs);

/** Moves a record's windows to the ones `nowMs` falls in. */
function roll(usage: SourceUsage, nowMs: number): SourceUsage {
  const minute = startOf(nowMs, MINUTE_MS);
  if (usage.minuteStartMs !== minute) {
    usage.minuteStartMs = minute;
    usage.minuteEvents = 0;
  }
  const day = startOf(nowMs, DAY_MS);
  if (usage.dayStartMs !== day) {
    usage.dayStartMs = day;
    usage.dayEvents = 0;
    usage.dayBytes = 0;
  }
  return usage;
}

export function createUsageCounters(): UsageCounters {
  const bySource = new Map<string, SourceUsage>();
  const record = (sourceId: string, nowMs: number): SourceUsage => {
    let usage = bySource.get(sourceId);
    if (!usage) {
      usage = {
        minuteStartMs: startOf(nowMs, MINUTE_MS),
        minuteEvents: 0,
        dayStartMs: startOf(nowMs, DAY_MS),
        dayEvents: 0,
        dayBytes: 0,
        totalEvents: 0,
        totalBytes: 0,
      };
      bySource.set(sourceId, usage);
    }
    return roll(usage, nowMs);
  };
  return {
    take(sourceId, quota, events, bytes, nowMs) {
      const usage = record(sourceId, nowMs);
      const seconds = (windowStart: number, windowMs: number) =>
        Math.max(1, Math.ceil((windowStart + windowMs - nowMs) / 1000));
      if (
        quota?.eventsPerMinute !== undefined &&
        usage.minuteEvents + events > quota.eventsPerMinute
      ) {
        return seconds(usage.minuteStartMs, MINUTE_MS);
      }
      if (quota?.eventsPerDay !== undefined && usage.dayEvents + events > quota.eventsPerDay) {
        return seconds(usage.dayStartMs, DAY_MS);
      }
      usage.minuteEvents += events;
      usage.dayEvents += events;
      usage.dayBytes += bytes;
      usage.totalEvents += events;
      usage.totalBytes += bytes;
      return 0;
    },
    get(sourceId, nowMs) {
      const usage = bySource.get(sourceId);
      return usage && roll(usage, nowMs);
    },
    top(count, nowMs) {
      const all = [...bySource].map(([sourceId, usage]) => ({
        sourceId,
        usage: roll(usage, nowMs),
      }));
      return all.sort((a, b) => b.usage.dayEvents - a.usage.dayEvents).slice(0, count);
    },
    get size() {
      return bySource.size;
    },
  };
}
