import { expect, it } from 'vitest';
import {
  countById,
  pollUntil,
  sluice,
  storage,
  tagLoaded,
  tagSnippet,
  waitUntil,
} from './tracker-harness.js';
import { trackerTestSetup } from './tracker-test-setup.js';

// Real Chromium, the real collector (its queue observed, and made to refuse appends where a
// test says so), the tag loaded from the collector by a site on another origin. Playwright does
// not show sendBeacon requests, so the tests look at what the collector acknowledged.

const tracker = trackerTestSetup(({ site, collector }) => {
  const page = (title: string, next = '') =>
    `<!doctype html><title>${title}</title>${tagSnippet(collector.url)}<h1>${title}</h1>${next}`;
  site.pages['/'] = page('Home', '<a id="next" href="/next">next</a>');
  site.pages['/next'] = page('Next');
});

const names = (events: Record<string, unknown>[]) =>
  events.map((e) =>
    e.type === 'page' ? `page ${(e.context as { page: { path: string } }).page.path}` : e.event,
  );
const queued = async (page: import('playwright-core').Page) =>
  (await storage(page)).sluice_q?.split('\n').map((line) => JSON.parse(line)) ?? [];

/** A new tab on the site's home page, once the tag there has loaded. */
async function openHomePage() {
  const context = await tracker.context();
  return { context, page: await tracker.open('/', context) };
}

it('delivers the events recorded just before the tab is closed, once each', async () => {
  const { page } = await openHomePage();
  await waitUntil(() => tracker.collector.events().length === 1, 20_000, 'the page view');
  await sluice(page, 'track', 'Added to Cart', { sku: 'a-1' });
  await sluice(page, 'track', 'Last Words');
  await page.close(); // pagehide: the tag hands its batch to sendBeacon
  await waitUntil(() => tracker.collector.events().length >= 3, 20_000, 'the last events');
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(names(tracker.collector.events())).toEqual(['page /', 'Added to Cart', 'Last Words']);
  expect(tracker.collector.acknowledged.every((a) => a.kind === 'event')).toBe(true);
});

it('delivers on navigation to the next page, and the next page sends them again never', async () => {
  const { page } = await openHomePage();
  await sluice(page, 'track', 'Clicked Next');
  await page.click('#next');
  await page.waitForFunction(() => document.title === 'Next');
  await tagLoaded(page);
  await waitUntil(() => tracker.collector.events().length >= 3, 20_000, 'both pages');
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(names(tracker.collector.events()).sort()).toEqual([
    'Clicked Next',
    'page /',
    'page /next',
  ]);
  // Nothing left over, once the page has read the collector's answer.
  const keys = await pollUntil(
    async () => Object.keys(await storage(page)).sort(),
    (found) => !found.includes('sluice_q'),
  );
  expect(keys).toEqual(['sluice_id']);
});

it('keeps events while offline and delivers each once when back online', async () => {
  const { context, page } = await openHomePage();
  await waitUntil(() => tracker.collector.events().length === 1, 20_000, 'the page view');
  await context.setOffline(true);
  for (let i = 0; i < 5; i++) await sluice(page, 'track', `Offline ${i}`);
  await sluice(page, 'flush'); // fetch fails: the events stay in localStorage
  await page.waitForFunction(() => (localStorage.sluice_q ?? '').split('\n').length === 5);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(tracker.collector.events()).toHaveLength(1);

  await context.setOffline(false); // the `online` event: the tag retries at once
  await waitUntil(() => tracker.collector.events().length >= 6, 20_000, 'the offline events');
  await new Promise((resolve) => setTimeout(resolve, 500));
  const events = tracker.collector.events();
  expect(names(events)).toEqual([
    'page /',
    'Offline 0',
    'Offline 1',
    'Offline 2',
    'Offline 3',
    'Offline 4',
  ]);
  expect([...countById(events).values()].every((n) => n === 1)).toBe(true);
  await page.waitForFunction(() => localStorage.sluice_q === undefined);
});

it('retries after 503 with Retry-After, with the same messageIds, until the collector recovers', async () => {
  tracker.collector.refuse(2); // the page view on load, then its first retry
  const page = await tracker.open();
  await waitUntil(() => tracker.collector.refused() >= 1, 20_000, 'the first 503');
  const waiting = await queued(page);
  expect(waiting.map((e) => e.type)).toEqual(['page']);
  await sluice(page, 'track', 'During the outage');
  await waitUntil(() => tracker.collector.events().length >= 2, 30_000, 'recovery');
  await new Promise((resolve) => setTimeout(resolve, 500));
  const events = tracker.collector.events();
  expect(tracker.collector.refused()).toBe(2);
  expect(names(events)).toEqual(['page /', 'During the outage']);
  expect(events[0]!.messageId).toBe(waiting[0].messageId);
  expect([...countById(events).values()]).toEqual([1, 1]);
});

it('sends what a page could not deliver when the next page of the site loads; the store keeps each once', async () => {
  const stored = await tracker.collector.forward();
  tracker.collector.refuse(1_000_000);
  const context = await tracker.context();
  const page = await tracker.open('/', context);
  await sluice(page, 'track', 'Left Behind');
  await sluice(page, 'flush');
  await page.waitForFunction(() => (localStorage.sluice_q ?? '').split('\n').length === 2);
  const left = await queued(page);
  expect(tracker.collector.events()).toEqual([]);

  tracker.collector.refuse(0); // the collector is back; the tag is in its backoff
  await page.close(); // pagehide: a beacon of what waited, kept for the next page all the same
  const next = await tracker.open('/next', context);
  for (const event of left)
    await waitUntil(() => tracker.collector.events().some((e) => e.messageId === event.messageId));
  // The browser may have sent an event twice (the beacon's outcome is never seen); the store
  // holds each once.
  const events = await pollUntil(stored, (events) => events.length >= 3, 20_000, 'the store');
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(await stored()).toHaveLength(3);
  expect(names(events).sort()).toEqual(['Left Behind', 'page /', 'page /next']);
  for (const event of left) expect(countById(events).get(event.messageId)).toBe(1);
  await next.waitForFunction(() => localStorage.sluice_q === undefined);
});

it('splits a large batch into requests under 64 KB, every event once', async () => {
  const context = await tracker.context();
  const page = await context.newPage();
  const sizes: number[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST') sizes.push(request.postDataBuffer()?.length ?? 0);
  });
  tracker.site.pages['/big'] = `<!doctype html><title>Big</title>${tagSnippet(
    tracker.collector.url,
    {
      'flush-at': '1000',
      'auto-pageview': 'false',
    },
  )}`;
  await page.goto(`${tracker.site.origin}/big`);
  await tagLoaded(page);
  await page.evaluate(() => {
    const tag = (window as unknown as { sluice: (...a: unknown[]) => void }).sluice;
    for (let i = 0; i < 80; i++) tag('track', `Big ${i}`, { text: 'é'.repeat(1000) });
    tag('flush');
  });
  await waitUntil(() => tracker.collector.events().length >= 80, 20_000, 'the big batch');
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(sizes.length).toBeGreaterThanOrEqual(3);
  for (const size of sizes) expect(size).toBeLessThanOrEqual(64 * 1024);
  const events = tracker.collector.events();
  expect(names(events)).toEqual(Array.from({ length: 80 }, (_, i) => `Big ${i}`));
  expect([...countById(events).values()].every((n) => n === 1)).toBe(true);
});
