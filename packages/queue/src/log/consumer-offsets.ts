// Committed positions of consumers, one small JSON file each:
// `consumers/<name>.json` = {"committed":<position>,"crc":<CRC32 of the position's digits>}.
// Written atomically (temp file, fsync, rename, fsync the directory) so a crash leaves the old
// or the new value. The CRC is for damage, not crashes: a flipped bit in a digit still parses
// (0 becomes 1, 2, 4 or 8) and would silently skip records; only the exact form with its CRC
// (or the form without one, written before it) is read, anything else is damage.

import { open, readdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { syncDirectory } from './segment-files.js';

const CONSUMER_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;
const SUFFIX = '.json';

/** Throws unless `name` is safe as a file name (letters, digits, `._-`, no leading dot). */
export function assertConsumerName(name: string): void {
  if (!CONSUMER_NAME.test(name)) {
    throw new TypeError(`invalid consumer name ${JSON.stringify(name)}: use [A-Za-z0-9._-]{1,128}`);
  }
}

/** A consumer file that holds no committed position: named, with the way out. */
export class DamagedConsumerFileError extends Error {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(
      `consumer file ${path} is damaged (${detail}): run \`sluice log verify --repair\`, which ` +
        "rebuilds it from the forwarder's checkpoint in the store (the truth for exactly-once)",
    );
    this.name = 'DamagedConsumerFileError';
  }
}

/** Reads a consumer's committed position, or undefined when the consumer does not exist. */
export async function readCommitted(dir: string, name: string): Promise<number | undefined> {
  const path = join(dir, name + SUFFIX);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let committed: unknown;
  try {
    committed = (JSON.parse(text) as { committed?: unknown } | null)?.committed;
  } catch (error) {
    throw new DamagedConsumerFileError(path, (error as Error).message);
  }
  if (typeof committed !== 'number' || !Number.isSafeInteger(committed) || committed < 0) {
    throw new DamagedConsumerFileError(path, 'no valid committed position');
  }
  if (text !== consumerFileText(committed) && text !== `${JSON.stringify({ committed })}\n`) {
    throw new DamagedConsumerFileError(path, 'checksum mismatch');
  }
  return committed;
}

/** The exact content of a consumer file holding `committed`. */
export function consumerFileText(committed: number): string {
  return `${JSON.stringify({ committed, crc: crc32(String(committed)) })}\n`;
}

/** Replaces a consumer's committed position atomically; `sync` makes it survive a power loss. */
export async function writeCommitted(
  dir: string,
  name: string,
  committed: number,
  sync: boolean,
  fileMode: number,
): Promise<void> {
  const target = join(dir, name + SUFFIX);
  const temp = `${target}.tmp`;
  const file = await open(temp, 'w', fileMode);
  try {
    await file.writeFile(consumerFileText(committed));
    if (sync) await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, target);
  if (sync) await syncDirectory(dir);
}

/** Committed positions of every consumer that exists on disk, by name. */
export async function readAllCommitted(dir: string): Promise<Map<string, number>> {
  const all = new Map<string, number>();
  for (const file of await readdir(dir)) {
    if (!file.endsWith(SUFFIX)) continue;
    const name = file.slice(0, -SUFFIX.length);
    const committed = await readCommitted(dir, name);
    if (committed !== undefined) all.set(name, committed);
  }
  return all;
}
