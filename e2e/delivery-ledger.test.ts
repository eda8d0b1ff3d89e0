import { runCli } from '@sluice/cli';
import type { BrowserContext, Page, Route } from 'playwright-core';
import { expect, it, vi } from 'vitest';
import { jsonLines } from './cli-process.js';
import { pollUntil, sluice, tagLoaded, tagSnippet, waitUntil } from './tracker-harness.js';
import { trackerTestSetup } from './tracker-test-setup.js';

// Issue 21, the delivery ledger: real Chromium and the real tag, collector and forwarder. The
// test loses a known set of events for good (batches the network answers 400, which the tag
// does not resend; beacons a blocker swallows, which the tag takes as sent), loses one batch
// for a moment only (aborted once, resent), and `sluice quality` must report exactly the lost
// ones as gaps, on the transport that showed them; the resent batch (`/v1/batch?r`) under
// `resend`.

const tracker = trackerTestSetup(({ site, collector }) => {
  const page = (data: Record<string, string>) =>
    `<!doctype html><title>ledger</title>${tagSnippet(collector.url, data)}`;
  // Each event at once by fetch; or held (a minute) until the page goes: then by beacon.
  site.pages['/'] = page({ 'flush-at': '1' });
  site.pages['/later'] = page({ 'flush-at': '100', 'flush-interval': '60000' });
});

type Sent = { batch: Array<{ event?: string; type: string; context: { eventIndex: number } }> };
const REFUSED = new Set(['lost 3', 'lost 5']); // answered 400: dropped by the tag
const ABORTED = new Set(['late 4']); // a network error once: resent

async function visit(context: BrowserContext, path: string, blockBeacons = false) {
  const page = await context.newPage();
  // A retry at once after a failure (the backoff's jitter is Math.random).
  await page.addInitScript((block) => {
    Math.random = () => 0;
    // A blocker that swallows beacons: sendBeacon says "queued" and nothing leaves.
    if (block) navigator.sendBeacon = () => true;
  }, blockBeacons);
  await page.goto(`${tracker.site.origin}${path}`);
  await tagLoaded(page);
  return page;
}

/** Tracks `name` and waits until the network took the request that carried it. */
async function trackAlone(page: Page, seen: string[], name: string) {
  const before = seen.length;
  await sluice(page, 'track', name);
  await waitUntil(() => seen.length > before, 10_000, `the request of ${name}`);
}

it('reports exactly the events lost on the way as gaps, none for the one resent', async () => {
  const context = await tracker.context();
  const seen: string[] = []; // the events of each fetch, as the network saw them
  const aborted = new Set<string>();
  const resends: string[] = []; // the events of each request the tag marked as a resend (?r)
  const batchUrl = `${tracker.collector.url}/v1/batch`;
  await context.route(
    (url) => `${url.origin}${url.pathname}` === batchUrl,
    async (route: Route) => {
      const sent = JSON.parse(route.request().postData() ?? '{}') as Sent;
      const names = sent.batch.map((e) => e.event ?? e.type);
      seen.push(...names);
      if (new URL(route.request().url()).searchParams.has('r')) resends.push(...names);
      if (names.some((n) => REFUSED.has(n))) {
        await route.fulfill({
          status: 400,
          headers: { 'access-control-allow-origin': tracker.site.origin },
          contentType: 'application/json',
          body: '{"error":{"code":"test","message":"refused on the way"}}',
        });
      } else if (names.some((n) => ABORTED.has(n) && !aborted.has(n))) {
        for (const n of names) aborted.add(n);
        await route.abort('connectionreset');
      } else await route.continue();
    },
  );

  // One session across four page visits (the same localStorage): numbers 1 to 11.
  const first = await visit(context, '/'); // 1 page view (fetch)
  await waitUntil(() => seen.length === 1, 10_000, 'the page view');
  for (const name of ['kept 2', 'lost 3', 'late 4', 'lost 5', 'kept 6']) {
    await trackAlone(first, seen, name);
    // The resend first, so the next event does not share its request.
    if (ABORTED.has(name)) {
      await waitUntil(
        () => tracker.collector.events().some((e) => e.event === name),
        10_000,
        'the resend',
      );
    }
  }
  await waitUntil(() => tracker.collector.events().length === 4, 10_000, 'the kept events');
  // The tag read the last answer: else the next page would resend what it still holds.
  const outbox = () => first.evaluate(() => localStorage.getItem('sluice_q') ?? '');
  await pollUntil(outbox, (held) => held === '', 10_000, 'an empty outbox');
  await first.close();

  const blocked = await visit(context, '/later', true); // 7 page view, 8: the beacon is swallowed
  await sluice(blocked, 'track', 'lost 8');
  await blocked.close();
  const later = await visit(context, '/later'); // 9 page view, 10: by beacon
  await sluice(later, 'track', 'beacon 10');
  await later.close();
  await waitUntil(() => tracker.collector.events().length === 6, 10_000, 'the beacon');
  const last = await visit(context, '/'); // 11 page view (fetch): shows the gaps 7 and 8
  await waitUntil(() => tracker.collector.events().length === 7, 10_000, 'the last page view');
  await last.close();
  expect(seen.filter((name) => ABORTED.has(name))).toHaveLength(2); // sent, and sent again
  expect(resends).toEqual(['late 4']); // only the second time

  const indexes = tracker.collector
    .events()
    .map((e) => (e.context as { eventIndex: number }).eventIndex)
    .sort((a, b) => a - b);
  expect(indexes).toEqual([1, 2, 4, 6, 9, 10, 11]);
  const stored = await tracker.collector.forward();
  await pollUntil(stored, (events) => events.length === 7, 20_000, 'the stored events');

  // The days around now: the test may run across midnight UTC.
  const day = (offset: number) =>
    new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  // The command itself, in this process (a child would add seconds of start-up).
  const printed: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((text) => {
    printed.push(String(text));
    return true;
  });
  try {
    await runCli([
      'quality',
      ...[
        '--from',
        day(-1),
        '--to',
        day(1),
        '--store-dir',
        tracker.collector.storeDir()!,
        '--json',
      ],
    ]);
  } finally {
    write.mockRestore();
  }
  expect(process.exitCode ?? 0).toBe(0);
  const rows = jsonLines<Record<string, unknown>>(printed.join(''));
  const byTransport = Object.fromEntries(rows.map((row) => [row.transport, row]));
  expect(rows.map((row) => row.transport).sort()).toEqual(['beacon', 'fetch', 'resend']);
  // Gap 3 shows on the resend (4 came after it), 5 on fetch (6), 7 and 8 on the beacon (9, 10).
  expect(byTransport.fetch).toMatchObject({ events: '4', numbered: '4', gaps: '1', repeats: '0' });
  expect(byTransport.resend).toMatchObject({ events: '1', numbered: '1', gaps: '1', repeats: '0' });
  expect(byTransport.beacon).toMatchObject({ events: '2', numbered: '2', gaps: '2', repeats: '0' });
  for (const row of rows) {
    expect(row).toMatchObject({ source: 'site', browser: expect.stringMatching(/Chrom/) });
    // Event time to arrival: the resent event waited for its retry, the beacon for the page to go.
    expect(Number(row.delay_p50_ms)).toBeGreaterThanOrEqual(0);
    expect(Number(row.delay_p99_ms)).toBeLessThan(30_000);
  }
});
