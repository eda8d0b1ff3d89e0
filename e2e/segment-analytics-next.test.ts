// Segment's own browser SDK, @segment/analytics-next (npm, unchanged), in real Chromium: its
// one setting `cdnURL` points at sluice, it loads its settings from the collector (no inline
// settings), sends every call there, and each event is stored once.
import { expect, it } from 'vitest';
import { useSdkInBrowser } from './sdk-browser-setup.js';

const WRITE_KEY = 'wk_ajs';
const env = useSdkInBrowser({
  sdk: "export { AnalyticsBrowser } from '@segment/analytics-next';",
  globalName: 'SegmentSdk',
  sources: (origin) => [{ id: 'web', writeKeys: [WRITE_KEY], allowedOrigins: [origin] }],
});

it('loads its settings from sluice, sends page, identify, track, group and alias, stored once each', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const requests: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(env.pipeline.url)) return;
    requests.push(`${request.method()} ${new URL(request.url()).pathname}`);
  });
  await page.goto(`${env.site.origin}/`);
  await page.evaluate(
    async ({ writeKey, cdnURL }) => {
      type Sdk = {
        AnalyticsBrowser: {
          load: (s: object) => Record<string, (...a: unknown[]) => Promise<unknown>>;
        };
      };
      const analytics = (window as unknown as { SegmentSdk: Sdk }).SegmentSdk.AnalyticsBrowser.load(
        {
          writeKey,
          cdnURL,
        },
      );
      await analytics.page!('Docs', 'Pricing', { plan: 'pro' });
      await analytics.identify!('user-7', { email: 'ada@example.com' });
      await analytics.track!('Order Completed', { revenue: 42 });
      await analytics.group!('initech', { employees: 12 });
      await analytics.alias!('user-7-new', 'user-7');
    },
    { writeKey: WRITE_KEY, cdnURL: env.pipeline.url },
  );
  await page.close();
  await context.close();

  expect(requests.filter((r) => !r.startsWith('OPTIONS'))).toEqual([
    `GET /v1/projects/${WRITE_KEY}/settings`,
    'POST /v1/p',
    'POST /v1/i',
    'POST /v1/t',
    'POST /v1/g',
    'POST /v1/a',
  ]);
  const events = (await env.pipeline.stored(5)).map((line) => line.event);
  expect(events.map((e) => e.type).sort()).toEqual(['alias', 'group', 'identify', 'page', 'track']);
  expect(new Set(events.map((e) => e.messageId)).size).toBe(5);
  const track = events.find((e) => e.type === 'track')!;
  expect(track).toMatchObject({
    event: 'Order Completed',
    properties: { revenue: 42 },
    userId: 'user-7',
    context: { library: { name: 'analytics.js' }, page: { url: `${env.site.origin}/` } },
  });
  expect(String(track.messageId)).toMatch(/^ajs-next-/);
  // A browser: the connection's address (anonymized) and the browser from its User-Agent.
  expect(track.context).toMatchObject({ ip: '127.0.0.0', browser: { name: expect.any(String) } });
  expect(events.find((e) => e.type === 'page')).toMatchObject({
    category: 'Docs',
    name: 'Pricing',
  });
  expect(await env.pipeline.stored(0, 'quarantine/')).toEqual([]);
});
