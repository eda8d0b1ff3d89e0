// The messageIds already stored in an events partition, so a replayed event that is there
// (delivered again live, imported, replayed by an earlier run from another quarantine file) is
// not written a second time. The files this run writes itself are left out: otherwise a second
// run would find its own output, drop those events and rewrite its files without them.
// Read through the manifest-aware reader, so a partition being compacted counts each event once.

import { decodeNdjson, type FileCodec, IMPORT_NAME_ID_DIGITS, splitKey } from '@sluice/layout';
import type { ObjectStore } from '@sluice/store';
import { readLiveFiles } from '../live-files.js';

export interface StoredIds {
  /** True when `id` is in a live events file of `partition` (a folder ending in `/`). */
  has(partition: string, id: string): Promise<boolean>;
}

/**
 * Reads each partition once, on first use. `ownInputIds` are the content hashes of this run's
 * inputs: files named `importFileName(id, …)` for one of them are not read.
 */
export function createStoredIds(
  store: ObjectStore,
  codecs: readonly FileCodec[],
  ownInputIds: Iterable<string>,
): StoredIds {
  const own = new Set([...ownInputIds].map((id) => id.slice(0, IMPORT_NAME_ID_DIGITS)));
  const partitions = new Map<string, Promise<Set<string>>>();

  async function read(partition: string): Promise<Set<string>> {
    const ids = new Set<string>();
    for await (const { files } of readLiveFiles(store, partition, { codecs })) {
      for (const { key, ndjson } of files) {
        const { folder, name } = splitKey(key);
        // Only this folder: a prefix could also match deeper folders.
        if (folder !== partition || isOwn(name)) continue;
        for (const line of decodeNdjson(ndjson)) {
          const id = messageIdOf(line);
          if (id !== undefined) ids.add(id);
        }
      }
    }
    return ids;
  }

  function isOwn(name: string): boolean {
    return (
      name.charAt(IMPORT_NAME_ID_DIGITS) === '-' && own.has(name.slice(0, IMPORT_NAME_ID_DIGITS))
    );
  }

  return {
    async has(partition, id) {
      let ids = partitions.get(partition);
      if (!ids) {
        ids = read(partition);
        partitions.set(partition, ids);
      }
      return (await ids).has(id);
    },
  };
}

function messageIdOf(line: string): string | undefined {
  if (line.trim() === '') return undefined;
  try {
    const id = (JSON.parse(line) as { messageId?: unknown }).messageId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
