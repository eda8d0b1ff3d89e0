import { expect, it } from 'vitest';
import { tagFile, tagLoaded, tagSnippet, waitUntil } from './tracker-harness.js';
import { trackerTestSetup } from './tracker-test-setup.js';

// The optional plugins as a site loads them (their own script files, after the tag's
// snippet), in real Chromium: clicks, an outbound link that leaves the page, a download,
// scroll depth, and the Core Web Vitals sent as the page goes away.

const PLUGINS = ['autocapture', 'outbound-links', 'scroll-depth', 'web-vitals'];

const tracker = trackerTestSetup(async ({ site }) => {
  for (const name of PLUGINS)
    site.pages[`/sluice-${name}.js`] = {
      type: 'text/javascript',
      body: await tagFile(`sluice-${name}.js`),
    };
});

it('records clicks, a download, scroll depth, an outbound link and the web vitals', async () => {
  // The outbound link goes to another host (the collector's health check).
  tracker.site.pages['/'] = `<!doctype html><title>Plugins</title>
${tagSnippet(tracker.collector.url)}
${PLUGINS.map((name) => `<script async src="/sluice-${name}.js"></script>`).join('\n')}
<style>body{margin:0} main{height:4000px}</style>
<main>
  <h1>A long page</h1>
  <button id="buy" class="cta">Buy now</button>
  <a id="report" href="/files/report.pdf" onclick="event.preventDefault()">report</a>
  <a id="out" href="${tracker.collector.url}/healthz">elsewhere</a>
</main>`;
  const page = await (await tracker.context()).newPage();
  await page.setViewportSize({ width: 800, height: 1000 });
  await page.goto(`${tracker.site.origin}/`);
  await tagLoaded(page);
  await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length);
  await page.click('#buy');
  await page.click('#report');
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await page.waitForTimeout(300);
  await page.click('#out'); // leaves the page: the tag's beacon carries what is left
  await page.waitForURL(`${tracker.collector.url}/healthz`);
  await waitUntil(
    () => tracker.collector.events().some((e) => e.event === 'Web Vitals'),
    20_000,
    'the web vitals',
  );
  await page.waitForTimeout(300);

  const events = tracker.collector.events();
  const tracked = events.filter((e) => e.type === 'track');
  const byName = (name: string) =>
    tracked.filter((e) => e.event === name).map((e) => e.properties as Record<string, number>);
  expect(byName('Element Clicked')).toEqual([
    { tag: 'button', classes: 'cta', id: 'buy', text: 'Buy now' },
    { tag: 'a', id: 'report', href: `${tracker.site.origin}/files/report.pdf`, text: 'report' },
    { tag: 'a', id: 'out', href: `${tracker.collector.url}/healthz`, text: 'elsewhere' },
  ]);
  expect(byName('File Downloaded')).toEqual([{ url: `${tracker.site.origin}/files/report.pdf` }]);
  expect(byName('Outbound Link Clicked')).toEqual([{ url: `${tracker.collector.url}/healthz` }]);
  expect(byName('Scroll Depth Reached').map((p) => p!.percent)).toEqual([25, 50, 75, 100]);
  const [vitals] = byName('Web Vitals');
  expect(vitals).toMatchObject({
    TTFB: expect.any(Number),
    FCP: expect.any(Number),
    LCP: expect.any(Number),
  });
  expect(vitals!.FCP as number).toBeGreaterThan(0);
  expect(vitals!.LCP as number).toBeGreaterThanOrEqual(vitals!.FCP as number);
  expect(events.filter((e) => e.type === 'page')).toHaveLength(1);
  expect(tracker.collector.acknowledged.every((a) => a.kind === 'event')).toBe(true);
});
