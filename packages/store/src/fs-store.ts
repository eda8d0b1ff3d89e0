import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ObjectInfo, ObjectStore } from './object-store.js';

export interface FsStoreOptions {
  /** Directory that plays the bucket: object keys become paths below it. */
  root: string;
  /**
   * Permissions of the files written (before the umask). Default 0o600: events are personal
   * data, so only the owner reads them; 0o640 lets the owner's group read too.
   */
  fileMode?: number;
  /** Permissions of the folders created. Default 0o700 (0o750 with a group that reads). */
  dirMode?: number;
}

/** Owner-only, the default of every file and folder sluice keeps data in. */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

const TEMP_SUFFIX = '.sluice-tmp';

/**
 * An object store on a local directory, with the same keys as a bucket. A put
 * writes a temp file, fsyncs it and renames it into place, so a reader never sees
 * half an object and an acknowledged upload survives a crash. Unlike S3, a key
 * cannot be both an object and the folder of others ("a" and "a/b").
 */
export function createFsStore({
  root,
  fileMode = PRIVATE_FILE_MODE,
  dirMode = PRIVATE_DIR_MODE,
}: FsStoreOptions): ObjectStore {
  function pathOf(key: string): string {
    const parts = key.split('/');
    if (
      parts.some((part) => part === '' || part === '.' || part === '..') ||
      key.endsWith(TEMP_SUFFIX)
    ) {
      throw new Error(`invalid object key: ${JSON.stringify(key)}`);
    }
    return join(root, ...parts);
  }

  // Writes `body` to a synced temp file and moves it to `key`'s path with `place`: a rename
  // replaces; a hard link refuses an existing name (then the temp goes and false is returned).
  async function write(
    key: string,
    body: Uint8Array,
    place: (temp: string, path: string) => Promise<boolean>,
  ): Promise<boolean> {
    const path = pathOf(key);
    await makeDirectories(dirname(path), dirMode);
    const temp = `${path}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`;
    let placed: boolean;
    try {
      const file = await open(temp, 'w', fileMode);
      try {
        await file.writeFile(body);
        await file.datasync();
      } finally {
        await file.close();
      }
      placed = await place(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    if (placed) await syncDirectory(dirname(path));
    return placed;
  }

  async function linkOnce(temp: string, path: string): Promise<boolean> {
    try {
      await link(temp, path);
      return true;
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return false;
      throw error;
    } finally {
      await unlink(temp);
    }
  }

  return {
    async put(key, body) {
      await write(key, body, (temp, path) => rename(temp, path).then(() => true));
    },

    putIfAbsent(key, body) {
      return write(key, body, linkOnce);
    },

    async get(key) {
      try {
        return new Uint8Array(await readFile(pathOf(key)));
      } catch (error) {
        // A folder ("events/") or a path through an object is no object, as on S3.
        if (isMissing(error) || errorCode(error) === 'EISDIR') return undefined;
        throw error;
      }
    },

    async *list(prefix) {
      for await (const { key, path } of walk(root, '', prefix)) {
        // A file deleted while we walk is simply not listed.
        const info = await stat(path).catch(() => undefined);
        if (info) yield { key, size: info.size } satisfies ObjectInfo;
      }
    },

    async delete(key) {
      try {
        await unlink(pathOf(key));
      } catch (error) {
        if (isMissing(error) || errorCode(error) === 'EISDIR') return;
        throw error;
      }
    },
  };
}

/**
 * Yields the files below `dir` whose keys start with `prefix`, in S3's key order,
 * entering only folders that can hold such keys. Temp files are never listed.
 */
async function* walk(
  dir: string,
  dirKey: string,
  prefix: string,
): AsyncGenerator<{ key: string; path: string }> {
  let entries: { name: string; isDir: boolean; sortKey: string }[];
  try {
    entries = (await readdir(dir, { withFileTypes: true }))
      .filter(
        (entry) => (entry.isFile() && !entry.name.endsWith(TEMP_SUFFIX)) || entry.isDirectory(),
      )
      // Keys below a folder "a" all start with "a/", so the folder sorts as "a/".
      .map((entry) => ({
        name: entry.name,
        isDir: entry.isDirectory(),
        sortKey: entry.isDirectory() ? `${dirKey}${entry.name}/` : `${dirKey}${entry.name}`,
      }));
  } catch (error) {
    if (isMissing(error)) return;
    throw error;
  }
  entries.sort((a, b) => compareUtf8(a.sortKey, b.sortKey));
  for (const { name, isDir, sortKey } of entries) {
    if (isDir) {
      if (sortKey.startsWith(prefix) || prefix.startsWith(sortKey)) {
        yield* walk(join(dir, name), sortKey, prefix);
      }
    } else if (sortKey.startsWith(prefix)) {
      yield { key: sortKey, path: join(dir, name) };
    }
  }
}

/** S3 orders keys by their UTF-8 bytes, which differs from JS string order above U+FFFF. */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Creates `dir` and its missing parents, and makes their entries durable too. */
async function makeDirectories(dir: string, mode: number): Promise<void> {
  const first = await mkdir(dir, { recursive: true, mode });
  if (first === undefined) return;
  // A new folder's entry lives in its parent: sync every parent of a new folder.
  for (let created = dir; created.length >= first.length; created = dirname(created)) {
    await syncDirectory(dirname(created));
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException)?.code;
}

function isMissing(error: unknown): boolean {
  return errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR';
}
