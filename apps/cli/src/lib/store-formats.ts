// Which file formats a local store's events are in, so `sluice query` reads each of them
// (a store switched to Parquet still holds its older gzip files).

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { EVENTS_ROOT, type FileFormatName, formatOfName } from '@sluice/layout';

/** The formats of the files below `<storeDir>/events/`; stops looking once it has seen all. */
export async function storeFormats(storeDir: string): Promise<Set<FileFormatName>> {
  const found = new Set<FileFormatName>();
  const pending = [join(storeDir, EVENTS_ROOT)];
  for (let dir = pending.pop(); dir !== undefined && found.size < 3; dir = pending.pop()) {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (entry.isDirectory()) pending.push(join(dir, entry.name));
      else {
        const format = formatOfName(entry.name);
        if (format) found.add(format.name);
      }
    }
  }
  return found;
}
