import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** When each messageId first became readable in a file of a local store. */
export interface StoreWatcher {
  /** messageId -> ms since the epoch when a poll first found it. */
  seen: Map<string, number>;
  files(): number;
  stop(): Promise<void>;
}

/**
 * Polls `<root>/events` every `intervalMs` for new .ndjson.gz files (the fs store renames
 * finished files into place, so a file found is whole) and records the ids in them.
 */
export function watchStore(root: string, intervalMs: number): StoreWatcher {
  const seen = new Map<string, number>();
  const read = new Set<string>();
  let stopped = false;
  const poll = async (): Promise<void> => {
    const dir = join(root, 'events');
    const names = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
    const now = Date.now();
    for (const name of names) {
      if (!name.endsWith('.ndjson.gz') || read.has(name)) continue;
      read.add(name);
      const text = gunzipSync(await readFile(join(dir, name))).toString('utf8');
      for (const line of text.split('\n')) {
        if (!line) continue;
        const id = (JSON.parse(line) as { messageId: string }).messageId;
        if (!seen.has(id)) seen.set(id, now);
      }
    }
  };
  const loop = (async () => {
    while (!stopped) {
      await poll();
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    seen,
    files: () => read.size,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}
