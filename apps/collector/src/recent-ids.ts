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

const EMPTY = -1;

/** FNV-1a of the source and the id (the table's own hash: a Map's is out of reach). */
function hashOf(source: string, id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < source.length; i++) h = Math.imul(h ^ source.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ 0x0a, 0x01000193);
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h ^ (h >>> 15);
}

/**
 * A ring of the last `capacity` sightings and an open-addressing table from each key to the
 * ring slot of its newest sighting. Not a Set used as a queue: deleting its first key over and
 * over leaves holes that each next() walks (23–39 µs an id once the window was full). Not a
 * Map either (issue 22): with 50,000 keys coming and going, its table was rebuilt over and over
 * and each `source\nid` key was a new string, ~1.1 µs an id and garbage; this one allocates
 * nothing per id.
 */
export function createRecentIds(capacity = RECENT_IDS): RecentIds {
  let size = 16;
  while (size < capacity * 2) size *= 2;
  const mask = size - 1;
  // table[i]: a ring slot, or EMPTY. Linear probing, deletion by shifting back (no tombstones).
  const table = new Int32Array(size).fill(EMPTY);
  const ringIds: Array<string | undefined> = new Array(capacity).fill(undefined);
  const ringSources: string[] = new Array(capacity).fill('');
  const ringHashes = new Int32Array(capacity);
  let next = 0;

  /** The table index holding `slot`, on the probe path of `hash`; EMPTY when none does. */
  function indexOfSlot(hash: number, slot: number): number {
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const at = table[i] as number;
      if (at === slot) return i;
      if (at === EMPTY) return EMPTY;
    }
  }

  /** The table index of the key, or of the empty place where it would go. */
  function find(hash: number, source: string, id: string): number {
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const at = table[i] as number;
      if (at === EMPTY) return i;
      if (ringHashes[at] === hash && ringIds[at] === id && ringSources[at] === source) return i;
    }
  }

  function remove(index: number): void {
    let hole = index;
    for (let i = (index + 1) & mask; ; i = (i + 1) & mask) {
      const at = table[i] as number;
      if (at === EMPTY) break;
      const home = (ringHashes[at] as number) & mask;
      // It may move back into the hole when that keeps it at or after its home.
      if (((i - home) & mask) >= ((i - hole) & mask)) {
        table[hole] = at;
        hole = i;
      }
    }
    table[hole] = EMPTY;
  }

  return {
    repeats(source, ids) {
      let repeated = 0;
      for (let k = 0; k < ids.length; k++) {
        const id = ids[k] as string;
        const hash = hashOf(source, id);
        if (table[find(hash, source, id)] !== EMPTY) repeated++;
        const evicted = ringIds[next];
        if (evicted !== undefined) {
          const index = indexOfSlot(ringHashes[next] as number, next);
          if (index !== EMPTY) remove(index);
        }
        ringIds[next] = id;
        ringSources[next] = source;
        ringHashes[next] = hash;
        const place = find(hash, source, id);
        table[place] = next;
        next = next + 1 === capacity ? 0 : next + 1;
      }
      return repeated;
    },
  };
}
