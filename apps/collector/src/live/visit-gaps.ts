// The live view's gaps: numbers of a visit's events (`context.eventIndex`) that have not
// arrived, counted while this collector sees the visit. Memory is bounded: the most recent
// `maxVisits` visits, each with its highest number and at most `maxHoles` missing ones. A
// missing number that arrives later takes its gap back; one of a forgotten visit, or past a
// visit's `maxHoles`, stays counted. `sluice quality` counts gaps exactly, from the store.

/** What a gap is counted on (a row of the delivery table). */
export interface GapCounted {
  gaps: number;
}

export interface VisitGaps {
  /** One event of `visit` numbered `index`, arrived on `row`; the gaps it shows count there. */
  see(visit: string, index: number, row: GapCounted): void;
  visits(): number;
}

type Visit = { max: number; holes: Map<number, GapCounted> };

/**
 * A visit first seen at number n shows no gap below n (it may have begun before this process,
 * or on another collector). A number above the highest counts those between as gaps, on `row`.
 */
export function createVisitGaps(maxVisits = 10_000, maxHoles = 16): VisitGaps {
  // Insertion order is recency: a visit seen again moves to the end; the first is evicted.
  const visits = new Map<string, Visit>();
  return {
    see(key, index, row) {
      const visit = visits.get(key);
      if (visit === undefined) {
        visits.set(key, { max: index, holes: new Map() });
        if (visits.size > maxVisits) visits.delete(visits.keys().next().value!);
        return;
      }
      visits.delete(key);
      visits.set(key, visit);
      if (index > visit.max) {
        row.gaps += index - visit.max - 1;
        // Ascending, so the oldest holes are the first ones dropped.
        for (let n = Math.max(visit.max + 1, index - maxHoles); n < index; n++) {
          visit.holes.set(n, row);
        }
        while (visit.holes.size > maxHoles) visit.holes.delete(visit.holes.keys().next().value!);
        visit.max = index;
        return;
      }
      const counted = visit.holes.get(index);
      if (counted !== undefined) {
        counted.gaps--; // came late (a resend): not lost
        visit.holes.delete(index);
      }
    },
    visits: () => visits.size,
  };
}
