// Drops an event whose messageId was already kept within the window (default 24 h).
//
// An id is "pending" from the moment its event is kept into a buffer until the file holding
// it is uploaded; then it is "stored": recorded in the exact index (after the put, before the
// checkpoint and the ack) and in the in-memory filter, under the time slot it was recorded in.
// Slots older than the window are forgotten whole.
//
// Why a restart after a crash neither loses nor doubles an event:
// - The index is written before the acknowledgement, so every acknowledged event's id is
//   stored or was dropped as a repeat of a stored or pending one. A pending id's event is not
//   acknowledged: the restart reads it again and keeps it again.
// - A file uploaded but not yet in the checkpoint is written again under the same key (its
//   first position, repeats included, see forwarder.ts), so its old content is replaced, not
//   added to. If its ids reached the index before the crash, the re-read finds each id at its
//   own position: that is the same event, kept, not a repeat.
// - The re-run decides like the first run: an id stored after an event was kept would have
//   been a later copy, dropped because the first was pending. Only a slot that expired while
//   the forwarder was down can make it keep more, and a copy older than the window is kept by
//   definition anyway.
//
// The filter starts at FIRST_FILTER_BYTES and doubles as stored ids come, up to `filterBytes`,
// each new table filled from the index (as `load` does after a restart): a drain of 150,000
// ids touched all 32 MiB of a filter allocated whole at start, random writes leaving no page
// untouched (55 MB of RSS more than an 8 MiB filter, and a cache miss per lookup). The old
// table answers until the new one holds every id the index had; records wait for each other,
// so no id recorded meanwhile is left out of the new table.

import type { QueueEntry } from '@sluice/queue';
import type { DedupIndex, StoredId } from './dedup-index.js';
import { FingerprintTable, hashId, type IdHash } from './fingerprint-table.js';

/** The filter's first size (about 200,000 ids); it doubles up to `filterBytes` as ids come. */
export const FIRST_FILTER_BYTES = 1024 * 1024;
/** Load past which a record doubles the filter first: below where inserts fail (~77 %). */
const GROW_AT_LOAD = 0.7;
/**
 * A fill gives the event loop back after this many ids: LMDB gave 748,000 ids in 531 ms here,
 * so doubling a full 16 MiB filter would hold a collector in the same process for seconds.
 */
const IDS_PER_TURN = 50_000;

const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export interface RepeatWindowSettings {
  /** How long a stored id is remembered; 0 remembers only pending ids. */
  windowMs: number;
  /** Ids are expired a slot at a time; the window is kept for at least `windowMs`. */
  slotMs: number;
  /** Most memory of the in-memory filter (it starts smaller and doubles as ids come). */
  filterBytes: number;
}

export interface RepeatWindowStats {
  /** Stored ids in the in-memory filter, and its size now. */
  ids: number;
  filterBytes: number;
  /** Ids kept but not yet in an uploaded file. */
  pending: number;
  /** Exact-index lookups (filter matches), and those that found no such id. */
  lookups: number;
  falseMatches: number;
  /** Slots forgotten before the window ended because the filter was full. */
  evictedSlots: number;
}

export interface RepeatWindow {
  /** Drops expired slots and fills the filter from the index. Call once, before `admit`. */
  load(): Promise<void>;
  /**
   * Whether to keep an event: false when its id was kept before within the window. A kept
   * event's id becomes pending. Synchronous unless the exact index must be asked.
   */
  admit(entry: QueueEntry): boolean | Promise<boolean>;
  /** Records kept events as stored, once their file is uploaded; resolves when durable. */
  record(kept: readonly StoredId[]): Promise<void>;
  stats(): RepeatWindowStats;
}

/** Creates the dedup window over an exact index; `now` is the wall clock that picks slots. */
export function createRepeatWindow(
  index: DedupIndex,
  settings: RepeatWindowSettings,
  now: () => number,
): RepeatWindow {
  const slotsBack = Math.ceil(settings.windowMs / settings.slotMs);
  const firstBytes = slotsBack === 0 ? 0 : Math.min(FIRST_FILTER_BYTES, settings.filterBytes);
  let table = new FingerprintTable(firstBytes);
  // Pending ids with their position: a number, not an object per id (they live until the file's
  // upload, so every object here outlived the young generation and made V8 grow it).
  const pending = new Map<string, number>();
  let recording: Promise<unknown> = Promise.resolve();
  let lookups = 0;
  let falseMatches = 0;
  let evictedSlots = 0;
  let expiredBefore = Number.NEGATIVE_INFINITY;

  const currentSlot = () => Math.floor(now() / settings.slotMs);
  const oldestLiveSlot = () => currentSlot() - slotsBack;

  async function expire(): Promise<void> {
    const oldest = oldestLiveSlot();
    if (oldest <= expiredBefore) return;
    for (const slot of await index.slots()) {
      if (slot < oldest) await dropSlot(slot);
    }
    expiredBefore = oldest;
  }

  async function dropSlot(slot: number): Promise<void> {
    table.drop(slot);
    await index.drop(slot);
  }

  /** Adds to the filter; when it is full, forgets the oldest slot early (never `slot` itself). */
  async function addToFilter(hash: IdHash, slot: number): Promise<boolean> {
    while (!table.add(hash, slot)) {
      const oldest = table.liveSlots()[0];
      if (oldest === undefined || oldest >= slot) return false;
      evictedSlots++;
      await dropSlot(oldest);
    }
    return true;
  }

  function keep(entry: QueueEntry): true {
    pending.set(entry.id, entry.position);
    return true;
  }

  const canGrow = () => slotsBack > 0 && table.byteLength * 2 <= settings.filterBytes;

  /**
   * Adds the ids of the index's live slots to `target`. False when one did not fit and `target`
   * is not the largest allowed (the caller doubles it); in the largest, the oldest slots give way.
   */
  async function fillFromIndex(target: FingerprintTable, largest: boolean): Promise<boolean> {
    // 'grow': `target` is too small; 'next': the slot was forgotten, go on with the next one.
    const full = async (id: string, slot: number) => {
      if (!largest) return 'grow';
      return (await addToFilter(hashId(id, target.bucketMask), slot)) ? 'added' : 'next';
    };
    const live = (await index.slots()).sort((a, b) => a - b);
    let added = 0;
    for (const slot of live) {
      const ids = index.ids(slot);
      // A synchronous source (LMDB) is read without a microtask per id.
      if (Symbol.iterator in ids) {
        for (const id of ids) {
          if (++added % IDS_PER_TURN === 0) await nextTurn();
          if (target.add(hashId(id, target.bucketMask), slot)) continue;
          const outcome = await full(id, slot);
          if (outcome === 'grow') return false;
          if (outcome === 'next') break;
        }
      } else {
        for await (const id of ids) {
          if (target.add(hashId(id, target.bucketMask), slot)) continue;
          const outcome = await full(id, slot);
          if (outcome === 'grow') return false;
          if (outcome === 'next') break;
        }
      }
    }
    return true;
  }

  /** Doubles the filter: the old one answers until the new one holds every stored id. */
  async function grow(): Promise<void> {
    const next = new FingerprintTable(table.byteLength * 2);
    if (await fillFromIndex(next, false)) table = next;
  }

  /** Asks the index about each candidate slot; a match at another position is a repeat. */
  function confirm(
    entry: QueueEntry,
    slots: readonly number[],
    from: number,
  ): boolean | Promise<boolean> {
    const oldest = oldestLiveSlot();
    for (let i = from; i < slots.length; i++) {
      const slot = slots[i] as number;
      if (slot < oldest) continue;
      lookups++;
      const stored = index.get(slot, entry.id);
      if (stored instanceof Promise) {
        return stored.then((position) =>
          position === undefined ? confirm(entry, slots, i + 1) : decide(entry, position),
        );
      }
      if (stored !== undefined) return decide(entry, stored);
    }
    falseMatches++;
    return keep(entry);
  }

  // The same position is this very event, recorded by a run that crashed before its checkpoint.
  function decide(entry: QueueEntry, storedAt: number): boolean {
    return storedAt === entry.position ? keep(entry) : false;
  }

  async function recordNow(kept: readonly StoredId[]): Promise<void> {
    if (slotsBack > 0) {
      await expire();
      while (table.size + kept.length > GROW_AT_LOAD * table.capacity && canGrow()) {
        const before = table;
        await grow();
        if (table === before) break;
      }
      const slot = currentSlot();
      await index.record(slot, kept);
      for (const entry of kept) {
        const hash = hashId(entry.id, table.bucketMask);
        if (!table.add(hash, slot)) await addToFilter(hash, slot);
      }
    }
    for (const { id, position } of kept) {
      if (pending.get(id) === position) pending.delete(id);
    }
  }

  return {
    async load() {
      await expire();
      // Before any admit: the table being filled may be the one in use.
      table = new FingerprintTable(firstBytes);
      while (!(await fillFromIndex(table, !canGrow()))) {
        table = new FingerprintTable(table.byteLength * 2);
      }
    },

    admit(entry) {
      const held = pending.get(entry.id);
      if (held !== undefined) return held === entry.position;
      if (slotsBack === 0) return keep(entry);
      const hash = hashId(entry.id, table.bucketMask);
      const candidates = table.candidates(hash);
      if (candidates.length === 0) return keep(entry);
      return confirm(entry, candidates, 0);
    },

    record(kept) {
      if (kept.length === 0) return Promise.resolve();
      // One at a time (the forwarders of several log partitions share a window): a record
      // during a growth would add its ids to the table about to be replaced.
      const done = recording.then(() => recordNow(kept));
      recording = done.catch(() => {});
      return done;
    },

    stats() {
      return {
        ids: table.size,
        filterBytes: table.byteLength,
        pending: pending.size,
        lookups,
        falseMatches,
        evictedSlots,
      };
    },
  };
}
