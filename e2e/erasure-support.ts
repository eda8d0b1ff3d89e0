// What the erasure tests share: the victim's erasure run as the real `sluice erase`, and every
// file of a data directory read as text, so that no copy of the victim hides in a compressed
// or columnar file.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parquetZstd, zstdDecompress } from '@sluice/forwarder';
import { parquetReadObjects } from 'hyparquet';
import { runSluice } from './cli-process.js';

/** The user every erasure test erases. */
const VICTIM = 'victim-1';

/** `sluice erase --user-id victim-1` over the log at `queueDir` and the store at `storeDir`. */
export function eraseVictim(queueDir: string, storeDir: string, ...more: string[]) {
  return runSluice([
    'erase',
    '--user-id',
    VICTIM,
    '--queue',
    `log:${queueDir}`,
    '--store-dir',
    storeDir,
    ...more,
  ]);
}

/** Every file below `root` as text: gzip and zstd decompressed, Parquet rows as JSON. */
export async function readEveryFile(root: string): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const bytes = await readFile(path);
    let text: string;
    if (path.endsWith('.gz')) text = gunzipSync(bytes).toString('utf8');
    else if (path.endsWith('.zst')) text = new TextDecoder().decode(await zstdDecompress(bytes));
    else if (path.endsWith('.parquet')) {
      await parquetZstd.ready?.();
      const rows = await parquetReadObjects({
        file: new Uint8Array(bytes).buffer,
        compressors: { ZSTD: parquetZstd.decompress },
      });
      text = rows.map((row) => `${JSON.stringify(row)}\n`).join('');
    } else text = bytes.toString('latin1');
    texts.set(path.slice(root.length + 1), text);
  }
  return texts;
}
