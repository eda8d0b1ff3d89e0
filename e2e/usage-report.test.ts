import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsStore } from '@sluice/store';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { jsonLines, runSluice, startSluice } from './cli-process.js';
import { readStoredEvents } from './read-store.js';

// Issue 24: what each source sent, as `sluice usage` reports it from the store, after real
// requests through `sluice start`; and a source over its quota refused while another is not.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-usage-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function send(url: string, key: string, events: number): Promise<Response> {
  const batch = Array.from({ length: events }, () => ({
    type: 'track',
    event: 'Usage Counted',
    messageId: crypto.randomUUID(),
    anonymousId: 'a-1',
  }));
  const res = await fetch(`${url}/v1/batch`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Basic ${btoa(`${key}:`)}` },
    body: JSON.stringify({ batch }),
  });
  await res.arrayBuffer();
  return res;
}

it('reports the events and bytes each source sent; the one over its quota gets 429, the other does not', async () => {
  const config = join(dir, 'sluice.config.json');
  await writeFile(
    config,
    JSON.stringify({
      sources: [
        { id: 'metered', writeKeys: ['wk_metered'], limits: { quota: { eventsPerMinute: 6 } } },
        { id: 'free', writeKeys: ['wk_free'] },
      ],
    }),
  );
  const sluice = await startSluice(
    ['start', '--data-dir', dir, '--port', '0', '--config', config],
    /Press Ctrl\+C to stop/,
  );
  const url = /(http:\/\/127\.0\.0\.1:\d+)\/live/.exec(sluice.stdout())![1]!;
  expect((await send(url, 'wk_metered', 4)).status).toBe(200);
  const over = await send(url, 'wk_metered', 4);
  expect(over.status).toBe(429);
  expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
  for (let i = 0; i < 3; i++) expect((await send(url, 'wk_free', 7)).status).toBe(200);
  // Ctrl+C writes what is pending into the store.
  expect((await sluice.stop('SIGINT')).code).toBe(0);

  // A window of three days around now: the test may run across midnight UTC.
  const day = (offset: number) =>
    new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const store = join(dir, 'store');
  const report = await runSluice([
    'usage',
    '--from',
    day(-1),
    '--to',
    day(1),
    '--store-dir',
    store,
    '--json',
  ]);
  expect(report.stderr).toBe('');
  expect(report.code).toBe(0);
  const rows = jsonLines<Record<string, string>>(report.stdout);
  const total = (source: string, field: 'events' | 'bytes') =>
    rows.filter((r) => r.source === source).reduce((n, r) => n + Number(r[field]), 0);
  expect(total('metered', 'events')).toBe(4);
  expect(total('free', 'events')).toBe(21);
  // The bytes are those of the stored lines.
  const files = createFsStore({ root: store });
  for (const source of ['metered', 'free']) {
    const lines = await readStoredEvents(files, `events/source=${source}/`);
    const bytes = lines.reduce((n, l) => n + Buffer.byteLength(JSON.stringify(l.event)), 0);
    expect(total(source, 'bytes')).toBe(bytes);
  }
  const table = await runSluice(['usage', '--from', day(-1), '--to', day(1), '--store-dir', store]);
  expect(table.stdout).toMatch(/│ free +│ \d{4}-\d{2}-\d{2} │ 21 +│ \d+ +│/);
}, 120_000);
