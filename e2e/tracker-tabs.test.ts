import type { BrowserContext, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import {
  countById,
  type ObservedCollector,
  outboxEvents,
  pollUntil,
  sluice,
  tagLoaded,
  tagSnippet,
  waitUntil,
} from './tracker-harness.js';
import { type TrackerSite, trackerTestSetup } from './tracker-test-setup.js';

// One site open in several tabs of one Chromium profile: the tabs share the tag's localStorage
// outbox, and each event must still go to the collector about once (issue 22), with none
// stranded when a tab closes or dies. Real Chromium, the real collector and forwarder.

let site: TrackerSite;
let collector: ObservedCollector;
let stored: () => Promise<Record<string, unknown>[]>;

const browsers = trackerTestSetup(async (started) => {
  ({ site, collector } = started);
  site.pages['/'] =
    `<!doctype html><title>Tab</title>${tagSnippet(collector.url, { 'auto-pageview': 'false' })}`;
  stored = await collector.forward();
});

const PER_TAB = 20;
/** The tag's STALE_MS (packages/tracker/src/limits.ts): a tab's outbox unwritten this long is taken. */
const STALE_MS = 10 * 60 * 1000;

async function openTabs(context: BrowserContext, count: number): Promise<Page[]> {
  const pages: Page[] = [];
  for (let i = 0; i < count; i++) {
    const page = await context.newPage();
    await page.goto(`${site.origin}/`);
    await tagLoaded(page);
    pages.push(page);
  }
  return pages;
}

/** Each tab tracks PER_TAB events at the same time (at flushAt 20, each tab's batch is due). */
const trackInEach = (pages: Page[], label = 'tab') =>
  Promise.all(
    pages.map((page, tab) =>
      page.evaluate(
        ([label, tab, count]) => {
          const tag = (window as unknown as { sluice: (...a: unknown[]) => void }).sluice;
          for (let i = 0; i < count; i++) tag('track', `${label} ${tab} #${i}`);
        },
        [label, tab, PER_TAB] as const,
      ),
    ),
  );

/** Events waiting in the tag's outboxes (every tab's) on the device. */
const waiting = async (page: Page) => (await outboxEvents(page)).length;

/**
 * Waits until the store holds `tracked` events and no tab has any left to send, lets late
 * copies arrive, then checks each event is stored once; returns accepted copies per event.
 */
async function delivered(pages: Page[], tracked: number): Promise<number> {
  await pollUntil(stored, (events) => events.length >= tracked, 40_000, 'the store');
  for (const page of pages)
    await pollUntil(
      () => waiting(page),
      (n) => n === 0,
      20_000,
      'empty',
    );
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const events = await stored();
  expect(events).toHaveLength(tracked);
  expect([...countById(events).values()].every((n) => n === 1)).toBe(true);
  expect(collector.acknowledged.every((a) => a.kind === 'event')).toBe(true);
  const ratio = collector.events().length / tracked;
  console.info(`accepted ${collector.events().length} for ${tracked} tracked: ${ratio}×`);
  return ratio;
}

for (const tabs of [3, 10])
  it(`${tabs} tabs online: each event is posted about once (≤ 1.1×), stored once`, async () => {
    const pages = await openTabs(await browsers.context(), tabs);
    await trackInEach(pages);
    expect(await delivered(pages, tabs * PER_TAB)).toBeLessThanOrEqual(1.1);
  });

for (const tabs of [3, 10])
  it(`${tabs} tabs offline, then online: at most 1.5× posted, each event stored once`, async () => {
    const context = await browsers.context();
    const pages = await openTabs(context, tabs);
    await context.setOffline(true);
    await trackInEach(pages, 'offline');
    await pollUntil(
      () => waiting(pages[0]!),
      (n) => n === tabs * PER_TAB,
      20_000,
      'all kept',
    );
    // Let every tab fail at least once and go into its backoff, as in a real outage.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(collector.events()).toEqual([]);
    await context.setOffline(false); // each tab's `online` event: all retry at once
    expect(await delivered(pages, tabs * PER_TAB)).toBeLessThanOrEqual(1.5);
  });

it('a tab closed with unsent events: another tab delivers them, each once', async () => {
  const context = await browsers.context();
  const [closing, ...others] = await openTabs(context, 3);
  await context.setOffline(true);
  await trackInEach([closing!], 'closed');
  await pollUntil(
    () => waiting(others[0]!),
    (n) => n === PER_TAB,
    20_000,
    'kept',
  );
  await closing!.close(); // pagehide while offline: no beacon, the events stay on the device
  await context.setOffline(false); // the remaining tabs take over
  expect(await delivered(others, PER_TAB)).toBeLessThanOrEqual(1.1);
  expect(collector.events().every((e) => String(e.event).startsWith('closed'))).toBe(true);
});

it('a tab killed while its request is in flight: another tab delivers its events once they are stale, each once', async () => {
  const context = await browsers.context();
  // The pages' clock: real time, until the test moves it on.
  await context.clock.install();
  const [killed, other] = await openTabs(context, 2);
  collector.hold();
  await trackInEach([killed!], 'killed');
  await waitUntil(() => collector.held() === 1, 20_000, 'the request in flight');
  // The renderer dies mid-send: no pagehide, no answer read, nothing released by the page.
  const cdp = await context.newCDPSession(killed!);
  const crashed = new Promise((resolve) => killed!.once('crash', resolve));
  cdp.send('Page.crash').catch(() => {}); // answers never: the page is gone
  await crashed;
  collector.refuse(1); // the request it had in flight is lost
  collector.release();
  await waitUntil(() => collector.refused() === 1, 20_000, 'the lost request');
  // A dead tab looks like a slow one at first: its events stay where they are.
  await sluice(other!, 'track', 'Survivor');
  await sluice(other!, 'flush');
  await waitUntil(() => collector.events().length === 1, 20_000, 'the survivor');
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(collector.events().map((e) => e.event)).toEqual(['Survivor']);
  expect(await waiting(other!)).toBe(PER_TAB);
  // Its outbox unwritten for longer than STALE_MS: the next flush of a live tab takes it over.
  await killed!.close(); // the dead tab's leftovers (its clock goes with it; no pagehide ran)
  await context.clock.setSystemTime(Date.now() + STALE_MS + 60_000);
  await sluice(other!, 'flush');
  expect(await delivered([other!], PER_TAB + 1)).toBe(1);
  expect(collector.refused()).toBe(1);
});
