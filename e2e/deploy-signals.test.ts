import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createFsStore } from '@sluice/store';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  demoUrl,
  postDemoBatch,
  REPO_ROOT,
  SLUICE_FROM_SOURCE,
  startSluice,
} from './cli-process.js';
import { DEPLOY_DIR, execForm, finalStage, readDockerfile } from './deploy-files.js';
import { readStoredEvents } from './read-store.js';

// What `docker stop` does to the image, without Docker: the image's ENTRYPOINT run as PID 1 of
// a new PID namespace (unshare, as root), and SIGTERM sent to that PID 1 from outside it, as
// the engine sends it. sluice runs from source here; the packaging test runs the installed one.
// Also the image's health check, run against that sluice.

const run = promisify(execFile);
const READY = /Press Ctrl\+C to stop/;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-pid1-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** `command` as PID 1 of a new PID namespace (with its own /proc). */
const asPid1 = (command: readonly string[]) => [
  'unshare',
  '--pid',
  '--fork',
  '--mount-proc',
  ...command,
];

/** The pid, outside the namespace, of the namespace's PID 1 (the only child of unshare). */
async function namespaceInit(unsharePid: number): Promise<number> {
  const children = await readFile(`/proc/${unsharePid}/task/${unsharePid}/children`, 'utf8');
  return Number(children.trim());
}

/** Runs the image's HEALTHCHECK command (deploy/healthcheck.mjs) against `port`. */
async function healthcheck(port: string): Promise<number> {
  const [program, ...args] = execForm(
    finalStage(await readDockerfile()).find((i) => i.keyword === 'HEALTHCHECK')!.args,
  );
  expect(args).toEqual(['/opt/sluice/healthcheck.mjs']);
  const script = join(DEPLOY_DIR, 'healthcheck.mjs');
  const env = { ...process.env, PORT: port };
  return run(program === 'node' ? process.execPath : program!, [script], { env }).then(
    () => 0,
    (error: { code: number }) => error.code,
  );
}

it('stops cleanly on SIGTERM under the image entrypoint (tini as PID 1), files written', async () => {
  const entrypoint = execForm(
    finalStage(await readDockerfile()).find((i) => i.keyword === 'ENTRYPOINT')!.args,
  );
  expect(entrypoint.at(-1)).toBe('sluice');
  const data = join(dir, 'tini');
  const command = asPid1([...entrypoint.slice(0, -1), ...SLUICE_FROM_SOURCE]);
  const started = await startSluice(
    ['start', '--data-dir', data, '--port', '0', '--file-age-ms', '60000'],
    READY,
    { command, cwd: REPO_ROOT },
  );
  const port = new URL(demoUrl(started.stdout())!).port;
  expect(await healthcheck(port)).toBe(0);
  const sent = await postDemoBatch(started.stdout(), [
    { type: 'track', event: 'Stopped', messageId: 'pid1-1', anonymousId: 'a-1' },
  ]);
  expect(await sent.json()).toMatchObject({ accepted: 1 });

  process.kill(await namespaceInit(started.pid!), 'SIGTERM');
  const end = await started.finished;
  expect(end, end.stderr).toMatchObject({ code: 0, signal: null });
  // The file still open (its age limit a minute away) was written on the way out.
  const stored = await readStoredEvents(createFsStore({ root: join(data, 'store') }), 'events/');
  expect(stored.map((line) => line.event.messageId)).toEqual(['pid1-1']);
  await expect(readFile(join(data, 'queue', 'lock'))).rejects.toThrow(/ENOENT/);
  // Stopped, the health check fails.
  expect(await healthcheck(port)).toBe(1);
}, 120_000);

it('stops cleanly on SIGTERM as PID 1 itself, without tini (docker run --entrypoint sluice)', async () => {
  const data = join(dir, 'bare');
  const started = await startSluice(['start', '--data-dir', data, '--port', '0'], READY, {
    command: asPid1(SLUICE_FROM_SOURCE),
    cwd: REPO_ROOT,
  });
  // It really is PID 1: the lock names it so.
  const lock = JSON.parse(await readFile(join(data, 'queue', 'lock'), 'utf8'));
  expect(lock.pid).toBe(1);
  process.kill(await namespaceInit(started.pid!), 'SIGTERM');
  const end = await started.finished;
  expect(end, end.stderr).toMatchObject({ code: 0, signal: null });
  await expect(readFile(join(data, 'queue', 'lock'))).rejects.toThrow(/ENOENT/);
}, 120_000);
