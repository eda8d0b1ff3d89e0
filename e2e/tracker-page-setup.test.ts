import { expect, it } from 'vitest';
import { pollUntil, sluice, storage, tagLoaded, tagSnippet, waitUntil } from './tracker-harness.js';
import { trackerTestSetup } from './tracker-test-setup.js';

// How sites put the tag on their pages, in real Chromium against the real collector: calls made
// before the tag loads, consent banners, and a strict Content-Security-Policy.

const tracker = trackerTestSetup();

const settle = () => new Promise((resolve) => setTimeout(resolve, 800));

it('replays the calls made before the tag loaded, in order, before the page view', async () => {
  const early = `sluice('identify','user-9',{plan:'pro'});sluice('track','First');sluice('track','Second',{n:2});`;
  tracker.site.pages['/'] =
    `<!doctype html><title>Early</title>${tagSnippet(tracker.collector.url, { 'flush-at': '4' }, early)}`;
  const page = await (await tracker.context()).newPage();
  await page.goto(`${tracker.site.origin}/`);
  await waitUntil(() => tracker.collector.events().length === 4, 20_000, 'four events');
  await settle();
  const events = tracker.collector.events();
  expect(events.map((e) => e.event ?? e.type)).toEqual(['identify', 'First', 'Second', 'page']);
  for (const event of events.slice(1)) expect(event.userId).toBe('user-9');
  expect(events[2]!.properties).toEqual({ n: 2 });
  expect(tracker.collector.acknowledged.every((a) => a.kind === 'event')).toBe(true);
  expect(await page.evaluate(() => typeof (window as { sluice?: unknown }).sluice)).toBe(
    'function',
  );
});

it('sends and stores nothing before consent, then what waited once the visitor agrees', async () => {
  tracker.site.pages['/'] = `<!doctype html><title>Consent</title>${tagSnippet(
    tracker.collector.url,
    {
      'require-consent': 'true',
    },
  )}`;
  const page = await tracker.open();
  await sluice(page, 'track', 'Before Consent');
  await sluice(page, 'flush');
  await settle();
  expect(tracker.collector.events()).toEqual([]);
  expect(await storage(page)).toEqual({});

  await sluice(page, 'consent', true); // the visitor clicked "accept"
  await waitUntil(() => tracker.collector.events().length === 2, 20_000, 'the waiting events');
  expect(tracker.collector.events().map((e) => e.event ?? e.type)).toEqual([
    'page',
    'Before Consent',
  ]);
  // The outbox entry goes once the page has read the collector's answer, a moment after the append.
  const keys = await pollUntil(
    async () => Object.keys(await storage(page)).sort(),
    (found) => !found.includes('sluice_q'),
  );
  expect(keys).toEqual(['sluice_consent', 'sluice_id']);

  await page.reload(); // the choice holds on the next page
  await tagLoaded(page);
  await waitUntil(() => tracker.collector.events().length === 3, 20_000, 'the next page view');
});

it('stops at opt-out: nothing more is sent, and the ids are gone from the device', async () => {
  tracker.site.pages['/'] =
    `<!doctype html><title>Opt-out</title>${tagSnippet(tracker.collector.url, { 'flush-at': '1' })}`;
  const page = await tracker.open();
  await waitUntil(() => tracker.collector.events().length === 1, 20_000, 'the page view');
  await sluice(page, 'consent', false);
  await sluice(page, 'track', 'After Opt-out');
  await page.reload();
  await tagLoaded(page);
  await sluice(page, 'track', 'Next Page');
  await settle();
  expect(tracker.collector.events()).toHaveLength(1);
  expect(await storage(page)).toEqual({ sluice_consent: '0' });
});

it('works under a strict Content-Security-Policy: no inline script, no eval', async () => {
  const violations: string[] = [];
  tracker.site.pages['/plugin.js'] = {
    type: 'text/javascript',
    body: "document.getElementById('go').addEventListener('click',()=>sluice.track('Clicked Go'))",
  };
  tracker.site.pages['/'] = {
    headers: {
      'content-security-policy': `default-src 'none'; script-src ${tracker.collector.url} ${tracker.site.origin}; connect-src ${tracker.collector.url}`,
    },
    body: `<!doctype html><title>CSP</title>
<script async src="${tracker.collector.url}/s.js" data-key="site-key" data-flush-at="2"></script>
<button id="go">go</button><script defer src="/plugin.js"></script>`,
  };
  const page = await (await tracker.context()).newPage();
  page.on('console', (message) => {
    if (/Content Security Policy|Refused/.test(message.text())) violations.push(message.text());
  });
  await page.goto(`${tracker.site.origin}/`);
  await tagLoaded(page);
  await page.click('#go');
  await waitUntil(() => tracker.collector.events().length === 2, 20_000, 'two events');
  expect(tracker.collector.events().map((e) => e.event ?? e.type)).toEqual(['page', 'Clicked Go']);
  expect(violations).toEqual([]);
});
