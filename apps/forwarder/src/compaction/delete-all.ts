import type { ObjectStore } from '@sluice/store';

const DELETES_AT_ONCE = 8;

/** Deletes every key, a few at a time (deleting a missing key is no error). */
export async function deleteAll(store: ObjectStore, keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += DELETES_AT_ONCE) {
    await Promise.all(keys.slice(i, i + DELETES_AT_ONCE).map((key) => store.delete(key)));
  }
}
