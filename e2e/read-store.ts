import { gunzipSync } from 'node:zlib';
import { decodeNdjson, FORMATS } from '@sluice/layout';
import type { ObjectStore } from '@sluice/store';

export interface StoredLine {
  key: string;
  event: Record<string, unknown>;
}

/** Every NDJSON line of every gzip file under `prefix`, with the key it was found in. */
export async function readStoredEvents(store: ObjectStore, prefix: string): Promise<StoredLine[]> {
  const lines: StoredLine[] = [];
  for await (const { key } of store.list(prefix)) {
    if (!key.endsWith(FORMATS['ndjson-gzip'].extension)) continue;
    const body = await store.get(key);
    if (!body) continue;
    for (const line of decodeNdjson(gunzipSync(body))) {
      if (line) lines.push({ key, event: JSON.parse(line) });
    }
  }
  return lines;
}
