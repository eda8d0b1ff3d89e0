// The dedup window's in-memory filter: "was this messageId stored, and in which time slot?"
// Each id takes one 32-bit cell: a 24-bit fingerprint and an 8-bit slot tag. An id may sit
// in either of two buckets of 8 cells (32 bytes, inside one cache line), so a lookup reads
// two cache lines however many slots the window has; a Bloom filter per slot would read one
// line per slot. A fingerprint match is only a candidate: the exact index decides.
// Hand-written because it is on the hot path (every event) and no npm filter offers slot
// expiry; bloom-filters' and cuckoo-filter's string hashing alone is several times slower.

/** Cells per bucket: 8 x 4 bytes = 32 bytes, half a cache line. */
const BUCKET_CELLS = 8;
/** Bytes one id takes at the load where the first inserts fail (about 77 % with two choices). */
export const FILTER_BYTES_PER_ID = 5.2;
/** Slot tags are 1–255 (0 marks an empty cell), so at most this many slots can be live. */
export const MAX_LIVE_SLOTS = 250;

/** Where an id may sit and what it looks like there. Computed once per id. */
export interface IdHash {
  bucket1: number;
  bucket2: number;
  /** 24 bits, shifted into the high bits of a cell. */
  fingerprint: number;
}

/**
 * Hashes a messageId with two 32-bit FNV-1a style passes over its UTF-16 code units, then
 * murmur3's finalizer, so buckets and fingerprint come from unrelated bits.
 */
export function hashId(id: string, bucketMask: number): IdHash {
  let a = 0x811c9dc5;
  let b = 0x2545f491;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  const h1 = mix(a);
  const h2 = mix(b);
  return {
    bucket1: h1 & bucketMask,
    bucket2: h2 & bucketMask,
    fingerprint: (mix(h1 ^ Math.imul(h2, 0x9e3779b1)) & 0xffffff00) >>> 0,
  };
}

function mix(h: number): number {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * A fixed-size table of id fingerprints tagged with the slot they were stored in. Its memory
 * is allocated once (`bytes`, rounded down to a power of two): that is the dedup window's
 * memory bound.
 */
export class FingerprintTable {
  readonly #cells: Uint32Array;
  readonly bucketMask: number;
  /** Slot number of each live tag; -1 when the tag is free. */
  readonly #slotOfTag = new Float64Array(256).fill(-1);
  #size = 0;

  constructor(bytes: number) {
    let buckets = 1;
    while (buckets * 2 * BUCKET_CELLS * 4 <= bytes) buckets *= 2;
    this.#cells = new Uint32Array(buckets * BUCKET_CELLS);
    this.bucketMask = buckets - 1;
  }

  /** Ids held. */
  get size(): number {
    return this.#size;
  }

  get capacity(): number {
    return this.#cells.length;
  }

  get byteLength(): number {
    return this.#cells.byteLength;
  }

  /** Live slots, oldest first. */
  liveSlots(): number[] {
    return [...this.#slotOfTag].filter((slot) => slot >= 0).sort((x, y) => x - y);
  }

  /** Adds an id to `slot`; false when both its buckets are full (the caller evicts a slot). */
  add(hash: IdHash, slot: number): boolean {
    const cell = (hash.fingerprint | this.#tagFor(slot)) >>> 0;
    // The emptier of the two buckets: "two choices" fills the table evenly before refusing.
    const free1 = this.#freeCells(hash.bucket1);
    const free2 = this.#freeCells(hash.bucket2);
    if (free1 === 0 && free2 === 0) return false;
    const start = (free1 >= free2 ? hash.bucket1 : hash.bucket2) * BUCKET_CELLS;
    for (let i = start; ; i++) {
      if (this.#cells[i] === 0) {
        this.#cells[i] = cell;
        this.#size++;
        return true;
      }
    }
  }

  /** Slots holding an id with this fingerprint (an id stored twice may show up twice). */
  candidates(hash: IdHash): readonly number[] {
    const found = this.#match(hash.bucket1, hash.fingerprint, NONE);
    return hash.bucket2 === hash.bucket1
      ? found
      : this.#match(hash.bucket2, hash.fingerprint, found);
  }

  #freeCells(bucket: number): number {
    const start = bucket * BUCKET_CELLS;
    let free = 0;
    for (let i = start; i < start + BUCKET_CELLS; i++) if (this.#cells[i] === 0) free++;
    return free;
  }

  // Allocates only on a match: the common case (a new id) returns `found` as it came.
  #match(bucket: number, fingerprint: number, found: readonly number[]): readonly number[] {
    const start = bucket * BUCKET_CELLS;
    let result = found;
    for (let i = start; i < start + BUCKET_CELLS; i++) {
      const cell = this.#cells[i] as number;
      if (cell !== 0 && (cell & 0xffffff00) >>> 0 === fingerprint) {
        const slot = this.#slotOfTag[cell & 0xff] as number;
        if (slot >= 0) result = [...result, slot];
      }
    }
    return result;
  }

  /** Forgets every id of `slot` and frees its tag. */
  drop(slot: number): void {
    const tag = tagOf(slot);
    if (this.#slotOfTag[tag] !== slot) return;
    this.#slotOfTag[tag] = -1;
    const cells = this.#cells;
    for (let i = 0; i < cells.length; i++) {
      if (cells[i] !== 0 && ((cells[i] as number) & 0xff) === tag) {
        cells[i] = 0;
        this.#size--;
      }
    }
  }

  #tagFor(slot: number): number {
    const tag = tagOf(slot);
    const owner = this.#slotOfTag[tag] as number;
    if (owner !== slot) {
      if (owner >= 0) throw new Error(`slot ${slot} and live slot ${owner} share a tag`);
      this.#slotOfTag[tag] = slot;
    }
    return tag;
  }
}

const NONE: readonly number[] = [];

function tagOf(slot: number): number {
  return (slot % 255) + 1;
}
