// A scratch directory per test file, made before its first test and removed after its last:
// the setup many e2e files wrote alike.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

export interface ScratchDir {
  /** The directory (only from the file's first test on). */
  readonly dir: string;
}

/**
 * Registers the hooks; `beforeRemove` runs after the last test, before the directory goes
 * (stop there what still writes into it).
 */
export function scratchDirPerFile(
  prefix: string,
  beforeRemove: () => unknown = () => {},
): ScratchDir {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    await beforeRemove();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      if (!dir) throw new Error('the scratch directory exists only while the tests run');
      return dir;
    },
  };
}
