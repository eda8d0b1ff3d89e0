// The dedup index on local disk, in LMDB (the `lmdb` npm package; its prebuilt binaries are
// npm packages too). One named database per time slot, so expiring a slot is one `drop`
// instead of deleting millions of keys. Reads are synchronous lookups in a memory map: the
// pages live in the OS page cache, not in the JS heap.
//
// Keys are packed (id-key.ts: a UUID in 16 bytes instead of 36, the tag's decimal ids in 21
// instead of 40) in databases named `ids-slot-<n>`. An index written before keeps its ids as
// ordered-binary strings in `slot-<n>`: those slots are still read (and dropped when they
// expire, within the window), never written, so a restart over an old index still dedups.

import { mkdir } from 'node:fs/promises';
import { open, type RootDatabase } from 'lmdb';
import type { DedupIndex } from './dedup-index.js';
import { MAX_LIVE_SLOTS } from './fingerprint-table.js';
import { readIdKey, writeIdKey } from './id-key.js';
import { assertDedupIndexReadable } from './lmdb-file-check.js';

/** Databases of packed keys (the ones written). */
const SLOT_PREFIX = 'ids-slot-';
/** Databases of an index written before packed keys: string keys, read until they expire. */
const OLD_SLOT_PREFIX = 'slot-';

/**
 * A slot database's options: lmdb-js reads `keyEncoder` for a named database too, but its
 * types have it for the root only, hence the widened type.
 */
function packedKeys(name: string): { name: string } {
  const options: { name: string; keyEncoder: object } = {
    name,
    keyEncoder: { writeKey: writeIdKey, readKey: readIdKey },
  };
  return options;
}
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
  // Every live slot and a few expired ones not yet dropped each need a named database (twice
  // while the slots of an old index are still live).
  // `permissionsMode` (lmdb-js passes it to mdb_env_open; its default is 0o664) is missing
  // from the package's types, hence the widened options.
  const options: Parameters<typeof open>[0] & { permissionsMode: number } = {
    path: dir,
    maxDbs: 2 * MAX_LIVE_SLOTS + 16,
    mapSize: MAP_BYTES,
    permissionsMode: modes.fileMode ?? 0o600,
  };
  const root: RootDatabase = open(options);
  type SlotDb = ReturnType<RootDatabase['openDB']>;
  const databases = new Map<number, SlotDb>();
  // The old index's databases, opened once found: none is ever created.
  const oldDatabases = new Map<number, SlotDb>();
  for (const slot of namedSlots(OLD_SLOT_PREFIX)) {
    oldDatabases.set(slot, root.openDB<number, string>({ name: `${OLD_SLOT_PREFIX}${slot}` }));
  }

  function slotDb(slot: number): SlotDb {
    let db = databases.get(slot);
    if (!db) {
      db = root.openDB<number, string>(packedKeys(`${SLOT_PREFIX}${slot}`));
      databases.set(slot, db);
    }
    return db;
  }

  function namedSlots(prefix: string): number[] {
    const slots: number[] = [];
    for (const name of root.getKeys()) {
      if (typeof name === 'string' && name.startsWith(prefix)) {
        slots.push(Number(name.slice(prefix.length)));
      }
    }
    return slots;
  }

  return {
    // Only asked about slots the filter got from `record` or `slots`, so they exist.
    get: (slot, id) =>
      (slotDb(slot).get(id) ?? oldDatabases.get(slot)?.get(id)) as number | undefined,
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
      return [...new Set([...namedSlots(SLOT_PREFIX), ...oldDatabases.keys()])];
    },
    *ids(slot) {
      yield* slotDb(slot).getKeys() as Iterable<string>;
      const old = oldDatabases.get(slot);
      if (old) yield* old.getKeys() as Iterable<string>;
    },
    async drop(slot) {
      await slotDb(slot).drop();
      databases.delete(slot);
      await oldDatabases.get(slot)?.drop();
      oldDatabases.delete(slot);
    },
    async close() {
      await root.close();
    },
  };
}
