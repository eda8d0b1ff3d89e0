// Which acknowledged events this process saw a moment ago: a bounded window of recent
// (source, messageId) keys, so the metrics can tell a client's resend from a first copy. Only
// an estimate of repeats (another process, or a resend after the window, counts as new): the
// forwarder's `sluice_forwarder_repeats_dropped_total` remains the truth of what storage kept.

/** Keys kept (the oldest go first): ~100 bytes each, a few MB at most. */
export const RECENT_IDS = 50_000;

export interface RecentIds {
  /** How many of `ids` (of `source`) were seen within the window; all are remembered now. */
  repeats(source: string, ids: readonly string[]): number;
}

export function createRecentIds(capacity = RECENT_IDS): RecentIds {
  // A ring of the last `capacity` sightings and, per key, the slot of its newest one. Not a Set
  // used as a queue: deleting its first key over and over leaves holes that each next() walks
  // (measured: 23–39 µs an id once the window was full, the collector's whole budget).
  const ring: string[] = [];
  const newest = new Map<string, number>();
  let next = 0;
  return {
    repeats(source, ids) {
      let repeated = 0;
      for (const id of ids) {
        const key = `${source}\n${id}`;
        if (newest.has(key)) repeated++;
        const evicted = ring[next];
        if (evicted !== undefined && newest.get(evicted) === next) newest.delete(evicted);
        ring[next] = key;
        newest.set(key, next);
        next = (next + 1) % capacity;
      }
      return repeated;
    },
  };
}
