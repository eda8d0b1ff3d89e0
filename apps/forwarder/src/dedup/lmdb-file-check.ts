// LMDB keeps no checksums and maps its file into memory: a zeroed or cut `data.mdb` makes
// `open` read garbage page numbers and the whole process dies of SIGSEGV, with no message.
// So before opening, the two meta pages are checked (the LMDB magic at byte 24 of page 0 or
// page 1, whatever the page size): a file without one valid meta page is refused by name.
// Damage deeper in the tree is not seen here; `sluice log verify` is the place for that.

import { open } from 'node:fs/promises';
import { join } from 'node:path';

const MAGIC = 0xbeefc0de;
const MAGIC_OFFSET = 24;
const PAGE_SIZES = [4096, 8192, 16384, 32768, 65536];

/** The dedup index in `dir` cannot be opened: named, with the way out. */
export class DamagedDedupIndexError extends Error {
  constructor(
    readonly dir: string,
    detail: string,
  ) {
    super(
      `dedup index ${dir} is damaged (${detail}): run \`sluice log verify --repair\`, which ` +
        'moves it aside and lets the forwarder start an empty one (see RELIABILITY.md: repeats ' +
        'of events stored before are then not recognised until the window has passed)',
    );
    this.name = 'DamagedDedupIndexError';
  }
}

/** Throws DamagedDedupIndexError unless `dir/data.mdb` is absent or has a valid meta page. */
export async function assertDedupIndexReadable(dir: string): Promise<void> {
  const path = join(dir, 'data.mdb');
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    const { size } = await file.stat();
    if (size === 0) return; // created, never written: LMDB initialises it
    const head = Buffer.alloc(Math.min(size, 2 * PAGE_SIZES.at(-1)!));
    await file.read(head, 0, head.length, 0);
    const metaAt = [0, ...PAGE_SIZES].filter((at) => at + MAGIC_OFFSET + 4 <= head.length);
    const valid = metaAt.some((at) => head.readUInt32LE(at + MAGIC_OFFSET) === MAGIC);
    if (!valid || size < 2 * PAGE_SIZES[0]!) {
      throw new DamagedDedupIndexError(dir, `${path}: no valid LMDB meta page`);
    }
  } finally {
    await file.close();
  }
}
