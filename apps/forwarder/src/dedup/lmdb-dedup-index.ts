// The dedup index on local disk, in LMDB (the `lmdb` npm package; its prebuilt binaries are
// npm packages too). One named database per time slot, so expiring a slot is one `drop`
// instead of deleting millions of keys. Reads are synchronous lookups in a memory map: the
// pages live in the OS page cache, not in the JS heap.

import { mkdir } from 'node:fs/promises';
import { open, type RootDatabase } from 'lmdb';
import type { DedupIndex } from './dedup-index.js';
import { MAX_LIVE_SLOTS } from './fingerprint-table.js';
import { assertDedupIndexReadable } from './lmdb-file-check.js';

const SLOT_PREFIX = 'slot-';
/**
 * Address space reserved for the memory map at open (virtual: the file grows only as pages are
 * written). lmdb-js starts small and maps the file again each time it outgrows the map, keeping
 * every older map while buffers may point into it: 750,000 ids recorded 68,000 a transaction
 * left 10 maps holding 289 MB of resident pages, one map of 16 GiB 135 MB. It grows past this
 * when needed.
 */
const MAP_BYTES = 16 * 1024 ** 3;

/** Permissions of the index's files and folders (before the umask). */
export interface DedupFileModes {
  /** Default 0o600: the ids of stored events are the owner's business only. */
  fileMode?: number;
  /** Default 0o700. */
  dirMode?: number;
}

/**
 * Opens (or creates) the dedup index in `dir`. One forwarder per directory: two processes would
 * each decide alone what is a repeat.
 */
export async function openLmdbDedupIndex(
  dir: string,
  modes: DedupFileModes = {},
): Promise<DedupIndex> {
  await mkdir(dir, { recursive: true, mode: modes.dirMode ?? 0o700 });
  // A damaged file would crash the process inside LMDB: refuse it by name first.
  await assertDedupIndexReadable(dir);
  // Every live slot and a few expired ones not yet dropped each need a named database.
  // `permissionsMode` (lmdb-js passes it to mdb_env_open; its default is 0o664) is missing
  // from the package's types, hence the widened options.
  const options: Parameters<typeof open>[0] & { permissionsMode: number } = {
    path: dir,
    maxDbs: MAX_LIVE_SLOTS + 16,
    mapSize: MAP_BYTES,
    permissionsMode: modes.fileMode ?? 0o600,
  };
  const root: RootDatabase = open(options);
  const databases = new Map<number, ReturnType<RootDatabase['openDB']>>();

  function slotDb(slot: number) {
    let db = databases.get(slot);
    if (!db) {
      db = root.openDB<number, string>({ name: `${SLOT_PREFIX}${slot}` });
      databases.set(slot, db);
    }
    return db;
  }

  function heldSlots(): number[] {
    const slots: number[] = [];
    for (const name of root.getKeys()) {
      if (typeof name === 'string' && name.startsWith(SLOT_PREFIX)) {
        slots.push(Number(name.slice(SLOT_PREFIX.length)));
      }
    }
    return slots;
  }

  return {
    // Only asked about slots the filter got from `record` or `slots`, so they exist.
    get: (slot, id) => slotDb(slot).get(id) as number | undefined,
    async record(slot, ids) {
      const db = slotDb(slot);
      // Puts queued in one event turn commit as one transaction, written on lmdb's own thread
      // (faster here than `transaction()`, whose callback runs on the main thread).
      let last: Promise<boolean> | undefined;
      for (const { id, position } of ids) last = db.put(id, position);
      await last;
      // Committed is visible; flushed survives a power loss too (overlappingSync is on).
      await root.flushed;
    },
    async slots() {
      return heldSlots();
    },
    ids(slot) {
      return slotDb(slot).getKeys() as Iterable<string>;
    },
    async drop(slot) {
      await slotDb(slot).drop();
      databases.delete(slot);
    },
    async close() {
      await root.close();
    },
  };
}
