// The dedup indexes of `sluice start`'s forwarder (`<data-dir>/forwarder/dedup/<consumer>/`),
// for `sluice log verify`: each is checked the way the forwarder checks it before opening.
// --repair moves a damaged one aside (kept, for whoever wants to look) so the forwarder starts
// an empty one. That is safe for the log: what the forwarder stores from the log is made
// exactly-once by its checkpoint and consumer position, not by the index. What the empty index
// forgets is the messageIds stored in the window: a client resending an event stored before
// (a batch whose answer was lost) is stored again until the window has passed.
import { readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { assertDedupIndexReadable, DamagedDedupIndexError } from '@sluice/forwarder';

/** The damaged dedup index directories under `<data-dir>/forwarder/dedup`, with why. */
export async function damagedDedupIndexes(
  dataDir: string,
): Promise<Array<{ dir: string; message: string }>> {
  const root = join(dataDir, 'forwarder', 'dedup');
  const found: Array<{ dir: string; message: string }> = [];
  for (const entry of await readdir(root, { withFileTypes: true }).catch(() => [])) {
    if (!entry.isDirectory() || entry.name.includes('.damaged-')) continue;
    try {
      await assertDedupIndexReadable(join(root, entry.name));
    } catch (error) {
      if (!(error instanceof DamagedDedupIndexError)) throw error;
      found.push({ dir: error.dir, message: error.message });
    }
  }
  return found;
}

/** Moves a damaged index aside; returns where it went. */
export async function moveDedupIndexAside(dir: string, now: number): Promise<string> {
  const aside = `${dir}.damaged-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
  await rename(dir, aside);
  return aside;
}
