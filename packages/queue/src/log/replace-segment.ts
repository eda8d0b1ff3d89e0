// Replaces a segment file crash-safely: the new content is written whole to
// `<segment>.erasing`, synced, given the old file's times (retention goes by the mtime) and
// renamed over the old one, then the directory is synced. A crash leaves the old or the new
// segment, never a torn one; a temp file left by a crash is deleted by the next run.

import { type FileHandle, open, rename, rm, stat, utimes } from 'node:fs/promises';
import { dirname } from 'node:path';
import { syncDirectory } from './segment-files.js';

/** Suffix of the temp file a rewrite writes before it replaces the segment. */
export const REWRITE_SUFFIX = '.erasing';

/**
 * Writes a new segment with `write` and puts it in place of `path`. `beforeReplace` runs once
 * the new file is synced, before the rename (tests crash there).
 */
export async function replaceSegment(
  path: string,
  write: (out: FileHandle) => Promise<void>,
  beforeReplace?: () => Promise<void> | void,
): Promise<void> {
  const temp = `${path}${REWRITE_SUFFIX}`;
  const { atimeMs, mtimeMs, mode } = await stat(path);
  await rm(temp, { force: true });
  const out = await open(temp, 'wx', mode & 0o777);
  try {
    await write(out);
    await out.sync();
  } finally {
    await out.close();
  }
  await utimes(temp, atimeMs / 1000, mtimeMs / 1000);
  await beforeReplace?.();
  await rename(temp, path);
  await syncDirectory(dirname(path));
}
