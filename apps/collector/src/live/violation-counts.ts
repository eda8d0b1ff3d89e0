// Tracking-plan violations by source and event for the live view, since the collector started.
// Labels come from the plan (a name it lists, `<type>:*`, `_unplanned`), so they are few per
// source; the table is still capped, as thousands of sources may each have a plan.

/** How often one event of one source broke its plan. */
export interface ViolationCount {
  source: string;
  /** The plan's label: a name the plan lists, `<type>:*`, or `_unplanned`. */
  event: string;
  count: number;
  /** When the last one arrived, ms since the epoch. */
  last: number;
}

/** The label the violations beyond the table's cap are counted under. */
export const OTHER_VIOLATIONS = '(other events)';

export interface ViolationCounts {
  add(source: string, labels: readonly string[]): void;
  /** The most frequent first, at most `limit`. */
  top(limit: number): ViolationCount[];
}

/** Counts per source and label; beyond `maxKeys` pairs, per source under OTHER_VIOLATIONS. */
export function createViolationCounts(now: () => number, maxKeys = 500): ViolationCounts {
  const counts = new Map<string, ViolationCount>();
  return {
    add(source, labels) {
      for (const label of labels) {
        let key = `${source}\u0000${label}`;
        let entry = counts.get(key);
        if (entry === undefined && counts.size >= maxKeys) {
          key = `${source}\u0000${OTHER_VIOLATIONS}`;
          entry = counts.get(key);
        }
        if (entry === undefined) {
          const event = key.slice(source.length + 1);
          entry = { source, event, count: 0, last: 0 };
          counts.set(key, entry);
        }
        entry.count++;
        entry.last = now();
      }
    },
    top(limit) {
      return [...counts.values()]
        .sort((a, b) => b.count - a.count || b.last - a.last)
        .slice(0, limit)
        .map((entry) => ({ ...entry }));
    },
  };
}
