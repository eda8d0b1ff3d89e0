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
  // A Set keeps insertion order: its first key is the oldest.
  const keys = new Set<string>();
  return {
    repeats(source, ids) {
      let repeated = 0;
      for (const id of ids) {
        const key = `${source}\n${id}`;
        if (keys.delete(key)) repeated++; // and re-added below: newest again
        keys.add(key);
        if (keys.size > capacity) keys.delete(keys.values().next().value!);
      }
      return repeated;
    },
  };
}
