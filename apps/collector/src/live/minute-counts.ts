// Events per minute for the live view's chart, kept in a ring of one bucket per minute: an
// O(1) add per request, memory fixed by the window, old minutes overwritten as time moves.

/** What one minute saw. `minute` is the minute's start, ms since the epoch. */
export interface MinuteCount {
  minute: number;
  accepted: number;
  quarantined: number;
  rejected: number;
}

export type CountKind = 'accepted' | 'quarantined' | 'rejected';

export interface MinuteCounts {
  add(kind: CountKind, n: number): void;
  /** The minutes of the window that saw anything, oldest first. */
  series(): MinuteCount[];
}

const MINUTE_MS = 60_000;

/** Counts per minute over the last `minutes` minutes (default 30) by `now`. */
export function createMinuteCounts(now: () => number, minutes = 30): MinuteCounts {
  const buckets: MinuteCount[] = Array.from({ length: minutes }, () => ({
    minute: -1,
    accepted: 0,
    quarantined: 0,
    rejected: 0,
  }));
  return {
    add(kind, n) {
      if (n <= 0) return;
      const minute = Math.floor(now() / MINUTE_MS) * MINUTE_MS;
      const bucket = buckets[(minute / MINUTE_MS) % minutes]!;
      if (bucket.minute !== minute) {
        bucket.minute = minute;
        bucket.accepted = 0;
        bucket.quarantined = 0;
        bucket.rejected = 0;
      }
      bucket[kind] += n;
    },
    series() {
      const oldest = Math.floor(now() / MINUTE_MS) * MINUTE_MS - (minutes - 1) * MINUTE_MS;
      return buckets
        .filter((bucket) => bucket.minute >= oldest)
        .map((bucket) => ({ ...bucket }))
        .sort((a, b) => a.minute - b.minute);
    },
  };
}
