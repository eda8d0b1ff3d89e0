import pLimit from 'p-limit';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ObjectInfo, ObjectStore } from './object-store.js';

export interface ContractOptions {
  /**
   * Whether to check S3's byte order where keys continue past a folder name ("a-b" <
   * "a/x" < "a0"). Real S3 and the fs store have it; s3rver lists a folder's keys first.
   */
  byteOrderAcrossFolders?: boolean;
  /** Whether to list past one S3 page (1,001 keys); default true, costly on slow servers. */
  keysPastOnePage?: boolean;
}

/**
 * The behaviours every ObjectStore must have, as one suite each adapter runs
 * against the real thing. `openStore` is called before each test and must return
 * an empty store.
 */
export function describeObjectStoreContract(
  name: string,
  openStore: () => ObjectStore | Promise<ObjectStore>,
  { byteOrderAcrossFolders = true, keysPastOnePage = true }: ContractOptions = {},
): void {
  describe(`${name}: ObjectStore contract`, () => {
    let store: ObjectStore;
    beforeEach(async () => {
      store = await openStore();
    });

    it('gets back exactly the bytes that were put, every byte value included', async () => {
      const body = bytes(70_000);
      await store.put('data/blob.bin', body);
      expect(await store.get('data/blob.bin')).toEqual(body);
    });

    it('stores an empty object', async () => {
      await store.put('data/empty', new Uint8Array());
      expect(await store.get('data/empty')).toEqual(new Uint8Array());
      expect(await collect(store.list('data/'))).toEqual([{ key: 'data/empty', size: 0 }]);
    });

    it('replaces an object whole when the same key is put again', async () => {
      await store.put('data/file', bytes(5_000, 1));
      await store.put('data/file', bytes(10, 2));
      expect(await store.get('data/file')).toEqual(bytes(10, 2));
      expect(await collect(store.list('data/'))).toEqual([{ key: 'data/file', size: 10 }]);
    });

    it('putIfAbsent writes a new key once: of concurrent callers exactly one wins, whole', async () => {
      if (!store.putIfAbsent) return; // a store without it (S3 here) commits from one place
      const results = await Promise.all(
        [1, 2, 3, 4].map((fill) => store.putIfAbsent!('data/once', bytes(3_000, fill))),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true) + 1;
      expect(await store.get('data/once')).toEqual(bytes(3_000, winner));
      expect(await store.putIfAbsent('data/once', bytes(5))).toBe(false);
      expect(await collect(store.list('data/'))).toEqual([{ key: 'data/once', size: 3_000 }]);
    });

    it('answers undefined for a key that was never put', async () => {
      expect(await store.get('never/put')).toBeUndefined();
      await store.put('never/other', bytes(1));
      expect(await store.get('never/put')).toBeUndefined();
      expect(await store.get('never')).toBeUndefined();
    });

    it('lists only keys under the prefix, in key order, with their sizes', async () => {
      const keys = ['ev/c/z', 'ev/a/y', 'other/ev/a', 'ev/b', 'evx', 'ev/a/x'];
      for (const [i, key] of keys.entries()) await store.put(key, bytes(i + 1));
      const listed = (names: string[]) =>
        names.map((key) => ({ key, size: keys.indexOf(key) + 1 }));

      expect(await collect(store.list('ev/'))).toEqual(
        listed(['ev/a/x', 'ev/a/y', 'ev/b', 'ev/c/z']),
      );
      expect(await collect(store.list('ev/a/'))).toEqual(listed(['ev/a/x', 'ev/a/y']));
      // A prefix need not end at a "/".
      expect(await collect(store.list('ev'))).toEqual(
        listed(['ev/a/x', 'ev/a/y', 'ev/b', 'ev/c/z', 'evx']),
      );
      expect(await collect(store.list(''))).toEqual(listed([...keys].sort()));
      expect(await collect(store.list('ev/d'))).toEqual([]);
      expect(await collect(store.list('nothing/'))).toEqual([]);
    });

    // Only where the server can have it: s3rver lists a folder's keys before "a-b" and "a.b"
    // (our Hive layout never mixes files and folders at one level, so it never matters here).
    if (byteOrderAcrossFolders)
      it('orders keys by their bytes, a folder among the keys beside it (a-b, a.b, a/…, a0)', async () => {
        // "-" < "." < "/" < "0": the keys below folder "a/" sort between "a.b" and "a0".
        const keys = ['ord/b', 'ord/a0', 'ord/a/b', 'ord/a.b', 'ord/a-b', 'ord/a/a/z', 'ord/x'];
        for (const key of keys) await store.put(key, bytes(1));
        const expected = ['ord/a-b', 'ord/a.b', 'ord/a/a/z', 'ord/a/b', 'ord/a0', 'ord/b', 'ord/x'];
        expect((await collect(store.list('ord/'))).map((info) => info.key)).toEqual(expected);
        expect((await collect(store.list('ord/a'))).map((info) => info.key)).toEqual(
          expected.slice(0, 5),
        );
      });

    // The multipart variant leaves this out: s3rver spends ~2 ms of CPU per put, and the
    // plain S3 run already covers pagination.
    if (keysPastOnePage)
      it('lists more than 1,000 keys (past one S3 page) in order', async () => {
        const keys = Array.from({ length: 1_001 }, (_, i) => `many/${String(i).padStart(5, '0')}`);
        await pLimit(50).map(keys, (key) => store.put(key, bytes(3)));
        await store.put('more/after', bytes(1));
        const listed = await collect(store.list('many/'));
        expect(listed.map((info) => info.key)).toEqual(keys);
        expect(listed.every((info) => info.size === 3)).toBe(true);
      });

    it('deletes an object, and deleting a missing one is no error', async () => {
      await store.put('del/a', bytes(4));
      await store.put('del/b', bytes(4));
      await store.delete('del/a');
      expect(await store.get('del/a')).toBeUndefined();
      expect(await collect(store.list('del/'))).toEqual([{ key: 'del/b', size: 4 }]);
      await store.delete('del/a');
      await store.delete('del/never');
      await store.delete('nowhere/at/all');
      expect(await store.get('del/b')).toEqual(bytes(4));
    });

    it('keeps Hive-style keys with "=" and "/" exactly as given', async () => {
      const key = 'events/source=web/dt=2026-01-01/hh=05/00000000000000000042.ndjson.gz';
      const body = bytes(700);
      await store.put(key, body, { contentType: 'application/x-ndjson', contentEncoding: 'gzip' });
      await store.put('events/source=web/dt=2026-01-02/hh=00/00000000000000000043.ndjson.gz', body);
      expect(await store.get(key)).toEqual(body);
      expect(await collect(store.list('events/source=web/dt=2026-01-01/'))).toEqual([
        { key, size: 700 },
      ]);
      expect((await collect(store.list('events/source=web/dt=2026-01-0'))).length).toBe(2);
    });
  });
}

/** Deterministic bytes covering all 256 values; `seed` makes different contents. */
export function bytes(length: number, seed = 0): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 131 + seed * 7 + (i >> 8)) & 0xff);
}

export async function collect(items: AsyncIterable<ObjectInfo>): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const item of items) out.push(item);
  return out;
}
