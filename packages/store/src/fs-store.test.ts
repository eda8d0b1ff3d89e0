import { spawn } from 'node:child_process';
import { watch } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFsStore } from './fs-store.js';
import { bytes, collect, describeObjectStoreContract } from './object-store.contract.js';

let base: string;
let stores = 0;
const newRoot = () => join(base, `store-${stores++}`);

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'sluice-fs-store-'));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describeObjectStoreContract('fs store', () => createFsStore({ root: newRoot() }));

const KEY = 'events/source=web/dt=2026-01-01/hh=05/00000000000000000042.ndjson.gz';

it('writes each object at its key as a path below the root, as in the bucket', async () => {
  const root = newRoot();
  await createFsStore({ root }).put(KEY, bytes(20));
  expect(new Uint8Array(await readFile(join(root, ...KEY.split('/'))))).toEqual(bytes(20));
});

it('refuses keys that would leave the root or cannot be a file', async () => {
  const root = newRoot();
  const store = createFsStore({ root });
  for (const key of [
    '',
    '../escape',
    'a/../../escape',
    '/abs',
    'a//b',
    'a/./b',
    'a/',
    'x.sluice-tmp',
  ]) {
    await expect(store.put(key, bytes(1)), key).rejects.toThrow(/invalid object key/);
  }
  expect(await readdir(base)).not.toContain('escape');
});

it('shows no part of an object whose writer was killed mid-write', async () => {
  const root = newRoot();
  const store = createFsStore({ root });
  const dir = join(root, ...KEY.split('/').slice(0, -1));
  await store.put(KEY, bytes(1_000, 1));

  // Kill the writer the moment its temp file appears, long before 64 MiB are on disk.
  const watcher = watch(dir);
  const writer = putInChildProcess(root, KEY, 64 * 1024 * 1024);
  watcher.on('change', (_event, name) => {
    if (String(name).endsWith('.sluice-tmp')) writer.child.kill('SIGKILL');
  });
  const outcome = await writer.done;
  watcher.close();

  expect(outcome.signal).toBe('SIGKILL');
  // The half-written temp file is there on disk, but the store does not show it.
  expect((await readdir(dir)).some((name) => name.endsWith('.sluice-tmp'))).toBe(true);
  expect(await store.get(KEY)).toEqual(bytes(1_000, 1));
  expect(await collect(store.list(''))).toEqual([{ key: KEY, size: 1_000 }]);
  await store.put(KEY, bytes(5, 2));
  expect(await collect(store.list('events/'))).toEqual([{ key: KEY, size: 5 }]);
});

it('rejects a write that fails midway (disk full), keeping the old object and no temp file', async () => {
  const root = newRoot();
  const store = createFsStore({ root });
  await store.put(KEY, bytes(1_000, 1));

  // A file size limit of 2 MiB makes the 4 MiB write fail part way with EFBIG.
  const outcome = await putInChildProcess(root, KEY, 4 * 1024 * 1024, 2048).done;

  expect(outcome.stdout).toContain('EFBIG');
  expect(await store.get(KEY)).toEqual(bytes(1_000, 1));
  const dir = join(root, ...KEY.split('/').slice(0, -1));
  expect(await readdir(dir)).toEqual(['00000000000000000042.ndjson.gz']);
});

/** Runs `store.put(key, <size bytes>)` in another process; prints "ok" or the error code. */
function putInChildProcess(root: string, key: string, size: number, fileSizeLimitKiB?: number) {
  const require = createRequire(import.meta.url);
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  const fsStore = pathToFileURL(join(import.meta.dirname, 'fs-store.ts')).href;
  const code = `
    import { createFsStore } from ${JSON.stringify(fsStore)};
    const store = createFsStore({ root: ${JSON.stringify(root)} });
    store.put(${JSON.stringify(key)}, new Uint8Array(${size}).fill(7)).then(
      () => console.log('ok'),
      (error) => console.log(error.code ?? error.message),
    );`;
  const node = [process.execPath, '--import', tsx, '--input-type=module', '-e', code];
  // bash's `ulimit -f` counts KiB; the limit holds for the node process it execs.
  const limit = fileSizeLimitKiB === undefined ? 'unlimited' : String(fileSizeLimitKiB);
  const child = spawn('bash', ['-c', `ulimit -f ${limit} && exec "$@"`, 'bash', ...node], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const done = new Promise<{ signal: NodeJS.Signals | null; stdout: string }>((resolve) =>
    child.once('exit', (_code, signal) => resolve({ signal, stdout })),
  );
  return { child, done };
}
