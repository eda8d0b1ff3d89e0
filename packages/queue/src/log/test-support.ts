// Setup shared by the embedded log's tests (not part of the package's API).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { QueueMessage } from '../queue.js';

/**
 * A new temp directory before each test (handed to `use`), removed after it: after the
 * hooks registered later, which close what the test opened in it.
 */
export function tempDirEachTest(prefix: string, use: (dir: string) => void): void {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
    use(dir);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));
}

/** Message `i` of a test: body `{"n":i}` unless another is given. */
export function logMessage(i: number, body = `{"n":${i}}`): QueueMessage {
  return { id: `id-${i}`, source: 'web', time: i, kind: 'event', body: Buffer.from(body) };
}
