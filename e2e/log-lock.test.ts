import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsStore } from '@sluice/store';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runSluice, startSluice } from './cli-process.js';
import { readStoredEvents } from './read-store.js';

// One data directory, one owner: a second `sluice start` on it must not write the same log.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-log-lock-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const READY = /Press Ctrl\+C to stop/;
const urlOf = (out: string) => /demo page\s+(http:\/\/127\.0\.0\.1:\d+)\/demo/.exec(out)?.[1];

async function sendOne(url: string, messageId: string, userId?: string): Promise<void> {
  const answer = await fetch(`${url}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: JSON.stringify({
      writeKey: 'demo-key',
      batch: [{ type: 'track', event: 'Locked', messageId, anonymousId: 'a-1', userId }],
    }),
  });
  expect(await answer.json()).toMatchObject({ accepted: 1 });
}

it('refuses a second sluice start on the same data directory, naming the holder', async () => {
  const first = await startSluice(['start', '--data-dir', dir, '--port', '0'], READY);
  const pid = first.pid;
  const second = await runSluice(['start', '--data-dir', dir, '--port', '0']);
  expect(second.code).toBe(1);
  expect(second.stderr).toContain(`in use by pid ${pid} on ${hostname()} since 20`);
  // The first one is untouched: it still takes events.
  await sendOne(urlOf(first.stdout())!, 'lock-1');
  expect((await first.stop('SIGTERM')).code).toBe(0);
}, 120_000);

it('takes over the lock of a SIGKILLed sluice start and keeps its data', async () => {
  const killed = await startSluice(['start', '--data-dir', dir, '--port', '0'], READY);
  await sendOne(urlOf(killed.stdout())!, 'lock-2');
  const stale = JSON.parse(await readFile(join(dir, 'queue', 'lock'), 'utf8'));
  expect(stale.pid).toBe(killed.pid);
  expect((await killed.stop('SIGKILL')).signal).toBe('SIGKILL');

  const next = await startSluice(['start', '--data-dir', dir, '--port', '0'], READY);
  const lock = JSON.parse(await readFile(join(dir, 'queue', 'lock'), 'utf8'));
  expect(lock.pid).toBe(next.pid);
  // A read-only look at the log needs no lock while the owner runs.
  const verify = await runSluice(['log', 'verify', '--data-dir', dir]);
  expect(verify, verify.stderr).toMatchObject({ code: 0 });
  const stopped = await next.stop('SIGTERM');
  expect(stopped, stopped.stderr).toMatchObject({ code: 0 });
  // The clean stop gives the directory back.
  await expect(readFile(join(dir, 'queue', 'lock'))).rejects.toThrow(/ENOENT/);
  // The event the killed process held unforwarded was forwarded by its successor.
  const stored = await readStoredEvents(createFsStore({ root: join(dir, 'store') }), 'events/');
  expect(stored.map((line) => line.event.messageId).sort()).toEqual(['lock-1', 'lock-2']);
}, 120_000);

it('refuses sluice erase and log verify --repair while a sluice start holds the log', async () => {
  const own = await mkdtemp(join(tmpdir(), 'sluice-log-lock-offline-'));
  try {
    const erase = [
      'erase',
      '--user-id',
      'u-gone',
      '--queue',
      `log:${join(own, 'queue')}`,
      '--store-dir',
      join(own, 'store'),
    ];
    const running = await startSluice(['start', '--data-dir', own, '--port', '0'], READY);
    const url = urlOf(running.stdout())!;
    await sendOne(url, 'offline-1', 'u-gone');

    const refused = await runSluice(erase);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toContain(
      `sluice erase rewrites the log in ${join(own, 'queue')}, which is in use by pid ${running.pid} on ${hostname()} since 20`,
    );
    const repair = await runSluice(['log', 'verify', '--repair', '--data-dir', own]);
    expect(repair.code, repair.stderr).toBe(1);
    expect(repair.stderr).toContain(
      `sluice log verify --repair rewrites the log in ${join(own, 'queue')}, which is in use by pid ${running.pid}`,
    );
    // Neither touched the owner's lock: it still holds the log and takes events.
    const lock = JSON.parse(await readFile(join(own, 'queue', 'lock'), 'utf8'));
    expect(lock.pid).toBe(running.pid);
    await sendOne(url, 'offline-2', 'u-kept');
    expect((await running.stop('SIGTERM')).code).toBe(0);

    // Stopped, both run; the erasure finds the subject's event in the log and the store.
    const erased = await runSluice(erase);
    expect(erased.code, erased.stderr).toBe(0);
    expect(JSON.parse(erased.stdout)).toMatchObject({ complete: true });
    const repaired = await runSluice(['log', 'verify', '--repair', '--data-dir', own]);
    expect(repaired, repaired.stderr).toMatchObject({ code: 0 });
    await expect(readFile(join(own, 'queue', 'lock'))).rejects.toThrow(/ENOENT/);
    const stored = await readStoredEvents(createFsStore({ root: join(own, 'store') }), 'events/');
    expect(stored.map((line) => line.event.messageId)).toEqual(['offline-2']);
  } finally {
    await rm(own, { recursive: true, force: true });
  }
}, 120_000);
