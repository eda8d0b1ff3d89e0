// RudderStack's JS SDK v3, @rudderstack/analytics-js (npm, its `/bundled` build, unchanged), in
// real Chromium: `load(writeKey, dataPlaneUrl, { configUrl })` with both URLs at sluice. It
// fetches its source config (Basic auth, so a CORS preflight) and sends nothing until that
// names an enabled source; then one request per call, each event stored once.
import { expect, it } from 'vitest';
import { useSdkInBrowser } from './sdk-browser-setup.js';

const WRITE_KEY = 'wk_rudder_js';
const env = useSdkInBrowser({
  sdk: "export { RudderAnalytics } from '@rudderstack/analytics-js/bundled';",
  globalName: 'RudderSdk',
  sources: (origin) => [{ id: 'rudder-web', writeKeys: [WRITE_KEY], allowedOrigins: [origin] }],
});

interface Seen {
  line: string;
  headers: Record<string, string>;
}

it('loads its source config from sluice, then page, identify, track, group and alias are stored once each', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const seen: Seen[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(env.pipeline.url)) return;
    seen.push({
      line: `${request.method()} ${new URL(request.url()).pathname}`,
      headers: request.headers(),
    });
  });
  await page.goto(`${env.site.origin}/`);
  await page.evaluate(
    async ({ writeKey, url }) => {
      type Rudder = Record<string, (...a: unknown[]) => void>;
      const sdk = (window as unknown as { RudderSdk: { RudderAnalytics: new () => Rudder } })
        .RudderSdk;
      const analytics = new sdk.RudderAnalytics();
      await new Promise<void>((resolve) => {
        analytics.load!(writeKey, url, { configUrl: url, onLoaded: () => resolve() });
      });
      const sent = (call: (done: () => void) => void) =>
        new Promise<void>((resolve) => call(resolve));
      await sent((done) => analytics.page!('Docs', 'Pricing', { plan: 'pro' }, done));
      await sent((done) => analytics.identify!('user-7', { email: 'ada@example.com' }, done));
      await sent((done) => analytics.track!('Order Completed', { revenue: 42 }, done));
      await sent((done) => analytics.group!('initech', { employees: 12 }, done));
      await sent((done) => analytics.alias!('user-7-new', 'user-7', done));
    },
    { writeKey: WRITE_KEY, url: env.pipeline.url },
  );
  const events = (await env.pipeline.stored(5)).map((line) => line.event);
  await page.close();
  await context.close();

  const lines = seen.map((s) => s.line).filter((l) => !l.startsWith('OPTIONS'));
  expect(lines[0]).toBe('GET /sourceConfig/');
  expect(lines.slice(1).sort()).toEqual(
    [
      'POST /v1/alias',
      'POST /v1/group',
      'POST /v1/identify',
      'POST /v1/page',
      'POST /v1/track',
    ].sort(),
  );
  const track = seen.find((s) => s.line === 'POST /v1/track')!;
  expect(track.headers).toMatchObject({
    anonymousid: expect.any(String),
    sentat: expect.any(String),
  });

  expect(events.map((e) => e.type).sort()).toEqual(['alias', 'group', 'identify', 'page', 'track']);
  expect(new Set(events.map((e) => e.messageId)).size).toBe(5);
  const stored = events.find((e) => e.type === 'track')!;
  expect(stored).toMatchObject({
    event: 'Order Completed',
    properties: { revenue: 42 },
    userId: 'user-7',
    channel: 'web',
    context: { library: { name: 'RudderLabs JavaScript SDK' } },
  });
  expect(stored.anonymousId).toBe(atob(track.headers.anonymousid!));
  expect(stored.context).toMatchObject({ ip: '127.0.0.0', browser: { name: expect.any(String) } });
  expect(events.find((e) => e.type === 'page')).toMatchObject({
    name: 'Pricing',
    category: 'Docs',
  });
  expect(await env.pipeline.stored(0, 'quarantine/')).toEqual([]);
});
