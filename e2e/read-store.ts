import { gunzipSync } from 'node:zlib';
import type { ObjectStore } from '@sluice/store';

export interface StoredLine {
  key: string;
  event: Record<string, unknown>;
}

/** Every NDJSON line of every gzip file under `prefix`, with the key it was found in. */
export async function readStoredEvents(store: ObjectStore, prefix: string): Promise<StoredLine[]> {
  const lines: StoredLine[] = [];
  for await (const { key } of store.list(prefix)) {
    if (!key.endsWith('.ndjson.gz')) continue;
    const body = await store.get(key);
    if (!body) continue;
    for (const line of gunzipSync(body).toString('utf8').split('\n')) {
      if (line) lines.push({ key, event: JSON.parse(line) });
    }
  }
  return lines;
}
