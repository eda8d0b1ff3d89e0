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

import type { QueueEntry } from '@sluice/queue';
import type { DedupIndex, StoredId } from './dedup-index.js';
import { FingerprintTable, hashId, type IdHash } from './fingerprint-table.js';

export interface RepeatWindowSettings {
  /** How long a stored id is remembered; 0 remembers only pending ids. */
  windowMs: number;
  /** Ids are expired a slot at a time; the window is kept for at least `windowMs`. */
  slotMs: number;
  /** Memory of the in-memory filter, allocated once. */
  filterBytes: number;
}

export interface RepeatWindowStats {
  /** Stored ids in the in-memory filter, and what it can hold at most. */
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
  const table = new FingerprintTable(slotsBack === 0 ? 0 : settings.filterBytes);
  // Pending ids with their position, and their hash once computed (record adds it to the filter).
  const pending = new Map<string, { position: number; hash: IdHash | undefined }>();
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

  function keep(entry: QueueEntry, hash?: IdHash): true {
    pending.set(entry.id, { position: entry.position, hash });
    return true;
  }

  /** Asks the index about each candidate slot; a match at another position is a repeat. */
  function confirm(
    entry: QueueEntry,
    hash: IdHash,
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
          position === undefined
            ? confirm(entry, hash, slots, i + 1)
            : decide(entry, hash, position),
        );
      }
      if (stored !== undefined) return decide(entry, hash, stored);
    }
    falseMatches++;
    return keep(entry, hash);
  }

  // The same position is this very event, recorded by a run that crashed before its checkpoint.
  function decide(entry: QueueEntry, hash: IdHash, storedAt: number): boolean {
    return storedAt === entry.position ? keep(entry, hash) : false;
  }

  return {
    async load() {
      await expire();
      const live = (await index.slots()).sort((a, b) => a - b);
      for (const slot of live) {
        const ids = index.ids(slot);
        // A synchronous source (LMDB) is read without a microtask per id.
        if (Symbol.iterator in ids) {
          for (const id of ids) {
            const hash = hashId(id, table.bucketMask);
            if (!table.add(hash, slot) && !(await addToFilter(hash, slot))) break;
          }
        } else {
          for await (const id of ids) {
            if (!(await addToFilter(hashId(id, table.bucketMask), slot))) break;
          }
        }
      }
    },

    admit(entry) {
      const held = pending.get(entry.id);
      if (held !== undefined) return held.position === entry.position;
      if (slotsBack === 0) return keep(entry);
      const hash = hashId(entry.id, table.bucketMask);
      const candidates = table.candidates(hash);
      if (candidates.length === 0) return keep(entry, hash);
      return confirm(entry, hash, candidates, 0);
    },

    async record(kept) {
      if (kept.length === 0) return;
      if (slotsBack > 0) {
        await expire();
        const slot = currentSlot();
        await index.record(slot, kept);
        for (const entry of kept) {
          const held = pending.get(entry.id);
          const hash =
            held?.position === entry.position && held.hash
              ? held.hash
              : hashId(entry.id, table.bucketMask);
          if (!table.add(hash, slot)) await addToFilter(hash, slot);
        }
      }
      for (const { id, position } of kept) {
        if (pending.get(id)?.position === position) pending.delete(id);
      }
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
