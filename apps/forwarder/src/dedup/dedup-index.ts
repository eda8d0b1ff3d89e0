// The exact side of the dedup window: which messageIds are stored, per time slot, and at which
// queue position. The in-memory filter only says "maybe"; this index answers for sure. Core
// code sees this interface; `lmdb-dedup-index.ts` keeps it on local disk for the Node entry.

/** A kept event whose file was uploaded: its id and the queue position it was read at. */
export interface StoredId {
  id: string;
  position: number;
}

export interface DedupIndex {
  /** The position `id` was recorded at in `slot`, or undefined. May answer synchronously. */
  get(slot: number, id: string): number | undefined | Promise<number | undefined>;
  /** Records ids as stored in `slot`; resolves once they survive a crash. */
  record(slot: number, ids: readonly StoredId[]): Promise<void>;
  /** Every slot held, in any order. */
  slots(): Promise<number[]>;
  /** Every id of `slot`, to refill the in-memory filter on start. */
  ids(slot: number): AsyncIterable<string> | Iterable<string>;
  /** Forgets a slot and its ids. */
  drop(slot: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * An index in process memory: exact, but forgotten on restart. For tests, the in-memory
 * queue (where the queue itself is forgotten too) and runtimes without a disk.
 */
export function createMemoryDedupIndex(): DedupIndex {
  const slots = new Map<number, Map<string, number>>();
  return {
    get: (slot, id) => slots.get(slot)?.get(id),
    async record(slot, ids) {
      const held = slots.get(slot) ?? new Map<string, number>();
      slots.set(slot, held);
      for (const { id, position } of ids) held.set(id, position);
    },
    async slots() {
      return [...slots.keys()];
    },
    ids: (slot) => slots.get(slot)?.keys() ?? [],
    async drop(slot) {
      slots.delete(slot);
    },
    async close() {},
  };
}
