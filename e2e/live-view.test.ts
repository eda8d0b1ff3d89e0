import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashSecretKey, type RunningCollector, startCollector } from '@sluice/collector';
import { createMemoryQueue, type Queue } from '@sluice/queue';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from './browser.js';

// The live event view in real Chromium: log in with the admin secret, then watch events the
// collector takes (and refuses) appear in the table and the chart, without a reload.
// SLUICE_SCREENSHOT=1 also writes the README's picture, docs/live-view.png.

const SECRET = 'adm_live-view-test-secret';
// Generous: the page updates every half second, but CI machines are busy.
const POLL = { timeout: 20_000 };
const SHOP = 'https://shop.example';
let browser: Browser;
let queue: Queue;
let collector: RunningCollector;
// The collector's clock runs `offsetMs` off the wall clock, so the chart can get a history.
let offsetMs = 0;

beforeAll(async () => {
  browser = await launchChromium();
  queue = createMemoryQueue();
  collector = await startCollector({
    queue,
    logger: false,
    now: () => Date.now() + offsetMs,
    config: {
      limits: { ipRate: null },
      sources: [
        { id: 'shop', writeKeys: ['site-key'], allowedOrigins: [SHOP] },
        {
          id: 'app',
          writeKeys: ['app-key'],
          allowedOrigins: [SHOP],
          plan: {
            onViolation: 'flag',
            events: { track: { Buy: { properties: { type: 'object', required: ['price'] } } } },
          },
        },
      ],
      admin: { secretHash: await hashSecretKey(SECRET) },
    },
  });
});
afterAll(async () => {
  await browser?.close();
  await collector?.close();
  await queue?.close();
});

let sent = 0;
function event(type: string, fields: Record<string, unknown>) {
  sent += 1;
  return { type, messageId: `live-${sent}`, anonymousId: `visitor-${sent % 4}`, ...fields };
}
const onPage = (path: string) => ({ page: { url: `${SHOP}${path}`, path } });

function send(batch: object[], options: { key?: string; origin?: string; path?: string } = {}) {
  return fetch(`${collector.url}${options.path ?? '/v1/batch'}`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', origin: options.origin ?? SHOP },
    body: JSON.stringify({ writeKey: options.key ?? 'site-key', batch }),
  });
}

async function logIn(page: Page): Promise<void> {
  await page.goto(`${collector.url}/live`);
  await page.fill('#secret', SECRET);
  await Promise.all([page.waitForURL(`${collector.url}/live`), page.click('button[type=submit]')]);
  await page.locator('#status', { hasText: 'live' }).waitFor();
}

it('shows events as they arrive, with their validation result, without a reload', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${collector.url}/live`);
  await page.fill('#secret', 'a guess');
  await page.click('button[type=submit]');
  await page.getByText('That is not the admin secret.').waitFor();
  expect(await page.locator('#events').count()).toBe(0);

  await logIn(page);
  let loads = 0;
  page.on('load', () => {
    loads += 1;
  });
  await page.evaluate(() => {
    (window as unknown as { sameDocument: boolean }).sameDocument = true;
  });
  await expect.poll(() => page.locator('#empty').isVisible(), POLL).toBe(true);

  const answer = await send([
    event('track', { event: 'Order Completed', context: onPage('/checkout') }),
    event('page', { name: 'Pricing', context: onPage('/pricing') }),
    event('track', { properties: { plan: 'pro' } }),
  ]);
  expect(await answer.json()).toMatchObject({ accepted: 2 });
  expect((await send([event('track', { event: 'X' })], { key: 'wrong-key' })).status).toBe(401);

  const rows = page.locator('#events tr');
  await expect.poll(() => rows.count(), POLL).toBe(4);
  const cells = await rows.evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].slice(1).map((td) => td.textContent)),
  );
  expect(cells).toEqual([
    ['rejected', '', '', '', '', '401 unauthorized on POST /v1/batch'],
    ['quarantined', 'shop', 'track', '', '', expect.stringMatching(/^event: /)],
    ['accepted', 'shop', 'page', 'Pricing', `${SHOP}/pricing`, ''],
    ['accepted', 'shop', 'track', 'Order Completed', `${SHOP}/checkout`, ''],
  ]);
  expect(await page.locator('#empty').isVisible()).toBe(false);
  await expect.poll(() => page.locator('#total-accepted').textContent(), POLL).toBe('2');
  expect(await page.locator('#total-quarantined').textContent()).toBe('1');
  expect(await page.locator('#total-rejected').textContent()).toBe('1');
  expect(await page.locator('rect[data-kind=accepted]').getAttribute('data-count')).toBe('2');

  // More arrive, and the same page shows them: no navigation, no reload.
  await send([event('track', { event: 'Signed Up', context: onPage('/signup') })]);
  await expect.poll(() => rows.first().locator('td').nth(4).textContent(), POLL).toBe('Signed Up');
  await expect.poll(() => page.locator('#total-accepted').textContent(), POLL).toBe('3');
  expect(loads).toBe(0);
  expect(
    await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument),
  ).toBe(true);

  // Events that break their source's plan but are kept: flagged rows, and the plan's table.
  expect(await page.locator('#plan').isVisible()).toBe(false);
  await send([event('track', { event: 'Buy' }), event('track', { event: 'Buy' })], {
    key: 'app-key',
  });
  await expect.poll(() => rows.first().locator('td.result').textContent(), POLL).toBe('flagged');
  expect(await rows.first().locator('td').last().textContent()).toMatch(/^properties: .*price/);
  await page.locator('#plan').waitFor();
  const violations = await page
    .locator('#violations tr')
    .evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent)),
    );
  expect(violations).toEqual([['app', 'Buy', '2']]);

  // The delivery ledger per source and transport: Node's fetch sends `Sec-Fetch-Mode: cors`
  // as a browser's would (fetch); `?r` is the tag's mark of a resend. Numbers 1 and 3 of a
  // visit: one gap.
  const numbered = (eventIndex: number) =>
    event('track', { event: 'Late', anonymousId: 'ada', context: { sessionId: 'v1', eventIndex } });
  await send([numbered(1), numbered(3)], { path: '/v1/batch?r' });
  const delivery = page.locator('#delivery-rows tr');
  await expect
    .poll(
      () =>
        delivery.evaluateAll((trs) =>
          trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 4).map((td) => td.textContent)),
        ),
      POLL,
    )
    .toEqual([
      ['app', 'fetch', '2', '0'],
      ['shop', 'fetch', '3', '0'],
      ['shop', 'resend', '2', '1'],
    ]);
  expect(await delivery.nth(2).locator('td').nth(4).textContent()).toMatch(/^\u2264 \d+ m?s$/);

  await page.click('text=Log out');
  await page.locator('#secret').waitFor();
  await context.close();
}, 60_000);

it('draws the last 30 minutes per minute, and takes a screenshot of it', async () => {
  // A shop's half hour, replayed on the collector's clock one minute at a time.
  const names = ['Product Viewed', 'Product Added', 'Checkout Started', 'Order Completed'];
  for (let minute = 24; minute >= 1; minute--) {
    offsetMs = -minute * 60_000;
    const busy = 4 + Math.round(6 * Math.abs(Math.sin(minute / 4)));
    const batch = Array.from({ length: busy }, (_, i) =>
      event('track', { event: names[(minute + i) % names.length], context: onPage('/shop') }),
    );
    if (minute % 5 === 0) batch.push(event('track', { context: onPage('/cart') }));
    await send(batch);
    if (minute % 7 === 0) await send([event('page', {})], { origin: 'https://evil.example' });
  }
  offsetMs = 0;

  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  await logIn(page);
  await expect
    .poll(() => page.locator('rect[data-kind=accepted]').count(), POLL)
    .toBeGreaterThan(20);
  expect(await page.locator('rect[data-kind=quarantined]').count()).toBeGreaterThan(3);
  expect(await page.locator('rect[data-kind=rejected]').count()).toBeGreaterThan(2);

  await send([
    event('page', { name: 'Home', context: onPage('/') }),
    event('track', {
      event: 'Product Viewed',
      properties: { sku: 'tea-42' },
      context: onPage('/tea/42'),
    }),
    event('track', { event: 'Product Added', context: onPage('/tea/42') }),
    event('identify', { userId: 'ada@example.com', context: onPage('/account') }),
    event('track', { event: 'Order Completed', context: onPage('/checkout') }),
    event('track', { properties: { total: 'forty' }, context: onPage('/checkout') }),
  ]);
  await send([event('track', { event: 'Spam' })], { origin: 'https://evil.example' });
  await expect.poll(() => page.locator('#events tr').count(), POLL).toBe(7);
  // Let the highlight of the new rows fade, for a calm picture.
  await page.waitForTimeout(1_600);
  const path = process.env.SLUICE_SCREENSHOT
    ? new URL('../docs/live-view.png', import.meta.url).pathname
    : join(tmpdir(), 'sluice-live-view.png');
  await mkdir(join(path, '..'), { recursive: true });
  const png = await page.screenshot({ path, fullPage: true });
  expect(png.byteLength).toBeGreaterThan(20_000);
  await context.close();
}, 60_000);
