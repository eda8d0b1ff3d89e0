import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsStore } from '@sluice/store';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoUrl, startSluice } from './cli-process.js';
import { readStoredEvents } from './read-store.js';

// `sluice start` as a user runs it: a real process on embedded defaults in its own data
// directory, fed over HTTP, stopped with Ctrl+C (SIGINT).

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-cli-start-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const READY = /Press Ctrl\+C to stop/;

/** Sends one track event with the demo write key, as the tag would. */
async function sendOne(url: string, event: string, messageId: string): Promise<void> {
  const answer = await fetch(`${url}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: JSON.stringify({
      writeKey: 'demo-key',
      batch: [{ type: 'track', event, messageId, anonymousId: 'a-1' }],
    }),
  });
  expect(await answer.json()).toMatchObject({ accepted: 1 });
}

it('prints where everything is, serves tag, demo and live view, and writes pending events at Ctrl+C', async () => {
  const sluice = await startSluice(['start', '--data-dir', dir, '--port', '0'], READY);
  const out = sluice.stdout();
  const url = demoUrl(out);
  expect(url).toBeDefined();
  // Security review 2026-12, finding 9: stdout that is no terminal (a container's or the
  // journal's log) gets the file the secret is in, never the secret.
  expect(out).toContain(`admin secret: in ${dir}/admin-secret (readable by its owner only)`);
  const secret = (await readFile(join(dir, 'admin-secret'), 'utf8')).trim();
  expect(secret).toMatch(/^adm_[\w-]{43}$/);
  expect(out).not.toContain(secret);
  expect(out).toContain(`live view    ${url}/live`);
  expect(out).toContain(`<script async src="${url}/s.js" data-key="demo-key"></script>`);
  expect(out).toContain(`${dir}/store/events/source=demo/dt=YYYY-MM-DD/hh=HH/`);
  expect(out).toContain(`query        sluice query --store-dir ${dir}/store`);
  expect(out).toContain(`read_ndjson('${dir}/store/events/**/*.ndjson.gz'`);

  for (const path of ['/s.js', '/demo', '/live']) {
    expect((await fetch(`${url}${path}`)).status, path).toBe(200);
  }
  await sendOne(url!, 'CLI Start Tested', 'cli-1');
  const live = await fetch(`${url}/live/events`, {
    headers: { authorization: `Bearer ${secret}` },
  });
  expect(live.status).toBe(200);
  expect(live.headers.get('content-type')).toMatch(/^text\/event-stream/);
  await live.body?.cancel();

  // Files are cut every 120 s: nothing is written yet, until Ctrl+C flushes it.
  const store = createFsStore({ root: join(dir, 'store') });
  expect(await readStoredEvents(store, 'events/')).toEqual([]);
  const stopped = await sluice.stop('SIGINT');
  expect(stopped, stopped.stderr).toMatchObject({ code: 0, signal: null });
  const stored = await readStoredEvents(store, 'events/');
  expect(stored.map((line) => line.event.event)).toEqual(['CLI Start Tested']);
  expect(stored[0]?.key).toMatch(/^events\/source=demo\/dt=\d{4}-\d\d-\d\d\/hh=\d\d\//);

  // A restart keeps the admin secret (and so the way into the live view) and the data.
  const again = await startSluice(['start', '--data-dir', dir, '--port', '0'], READY);
  expect(await readFile(join(dir, 'admin-secret'), 'utf8')).toBe(`${secret}\n`);
  expect(again.stdout()).toContain(`admin secret: in ${dir}/admin-secret`);
  const stoppedAgain = await again.stop('SIGTERM');
  expect(stoppedAgain, stoppedAgain.stderr).toMatchObject({ code: 0, signal: null });
  expect(await readStoredEvents(store, 'events/')).toHaveLength(1);
}, 120_000);

it('takes one Ctrl+C that arrives twice (terminal and pnpm) as one: pending events are written', async () => {
  const sluice = await startSluice(['start', '--data-dir', dir, '--port', '0'], READY);
  const url = demoUrl(sluice.stdout());
  await sendOne(url!, 'Twice Interrupted', 'cli-2');
  // A terminal signals the whole process group; pnpm (and tsx) pass the signal on again.
  sluice.signal('SIGINT');
  await new Promise((resolve) => setTimeout(resolve, 20));
  sluice.signal('SIGINT');
  const stopped = await sluice.finished;
  expect(stopped, stopped.stderr).toMatchObject({ code: 0, signal: null });
  const store = createFsStore({ root: join(dir, 'store') });
  const events = (await readStoredEvents(store, 'events/')).map((line) => line.event.event);
  expect(events).toContain('Twice Interrupted');
}, 60_000);
