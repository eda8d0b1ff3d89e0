// Snowplow's browser tracker, @snowplow/browser-tracker v4 (npm, unchanged, bundled), in real
// Chromium: `newTracker(namespace, endpoint, { appId, eventMethod })` with the endpoint at
// sluice. POST sends payload_data as application/json with credentials (a CORS preflight for
// content-type, the origin reflected); `eventMethod: 'get'` sends each event to GET /i. Every
// event is stored once, with the browser's user agent and the anonymized address.
import { describe, expect, it } from 'vitest';
import { useSdkInBrowser } from './sdk-browser-setup.js';

const CHECKOUT = 'iglu:com.acme/checkout_started/jsonschema/1-0-0';
const CART_ENTITY = { schema: 'iglu:com.acme/cart/jsonschema/1-0-0', data: { items: 2 } };

const env = useSdkInBrowser({
  sdk: "export { newTracker, setUserId, trackPageView, trackStructEvent, trackSelfDescribingEvent } from '@snowplow/browser-tracker';",
  globalName: 'Snowplow',
  sources: (origin) => [
    { id: 'web', snowplowAppIds: ['site-post', 'site-get'], allowedOrigins: [origin] },
  ],
  path: '/shop/cart',
});

describe.each([
  ['site-post', 'post', false],
  ['site-get', 'get', true],
])(
  '@snowplow/browser-tracker, appId %s (eventMethod %s, encodeBase64 %s)',
  (appId, method, base64) => {
    it('sends a page view, a structured and a self-describing event, each stored once', async () => {
      const context = await env.browser.newContext();
      const page = await context.newPage();
      const seen: Array<{ line: string; headers: Record<string, string> }> = [];
      // The parameter names of every event sent, from the POST body or the pixel's query.
      const parameters = new Set<string>();
      page.on('request', (request) => {
        if (!request.url().startsWith(env.pipeline.url)) return;
        seen.push({
          line: `${request.method()} ${new URL(request.url()).pathname}`,
          headers: request.headers(),
        });
        const url = new URL(request.url());
        if (request.method() === 'GET') {
          for (const name of url.searchParams.keys()) parameters.add(name);
        }
        if (request.method() === 'POST') {
          const body = JSON.parse(request.postData() ?? '{}') as { data?: object[] };
          for (const event of body.data ?? []) {
            for (const name of Object.keys(event)) parameters.add(name);
          }
        }
      });
      await page.goto(`${env.site.origin}/shop/cart`);
      await page.evaluate(
        ({ url, appId, method, base64, schema, entity }) => {
          type Sp = Record<string, (...a: unknown[]) => unknown>;
          const sp = (window as unknown as { Snowplow: Sp }).Snowplow;
          sp.newTracker!('sp1', url, {
            appId,
            eventMethod: method,
            encodeBase64: base64,
            contexts: { webPage: true, session: true }, // client_session: eventIndex
          });
          sp.setUserId!('user-7');
          sp.trackPageView!();
          sp.trackStructEvent!({
            category: 'shop',
            action: 'add-to-basket',
            label: 'A-1',
            value: 2,
          });
          sp.trackSelfDescribingEvent!({ event: { schema, data: { step: 1 } }, context: [entity] });
        },
        { url: env.pipeline.url, appId, method, base64, schema: CHECKOUT, entity: CART_ENTITY },
      );
      const mine = async () =>
        (await env.pipeline.stored(3))
          .map((l) => l.event)
          .filter((e) => (e.context as { snowplow?: { aid?: string } }).snowplow?.aid === appId);
      let events = await mine();
      for (let tries = 0; events.length < 3 && tries < 50; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        events = await mine();
      }
      const userAgent = await page.evaluate(() => navigator.userAgent);
      await page.close();
      await context.close();

      const sent = seen.map((s) => s.line).filter((l) => !l.startsWith('OPTIONS'));
      const path = method === 'post' ? 'POST /com.snowplowanalytics.snowplow/tp2' : 'GET /i';
      // GET sends one event a request; POST sends those queued while a request is in flight
      // together. Either way only this endpoint (a JSON POST with credentials passes CORS).
      expect(new Set(sent)).toEqual(new Set([path]));
      if (method === 'get') expect(sent).toHaveLength(3);
      expect([...parameters]).toEqual(
        expect.arrayContaining(
          base64 ? ['ue_px', 'cx', 'eid', 'stm', 'dtm'] : ['ue_pr', 'co', 'eid', 'stm', 'dtm'],
        ),
      );
      if (method === 'post') {
        const post = seen.find((s) => s.line.startsWith('POST'))!;
        expect(post.headers['content-type']).toBe('application/json; charset=UTF-8');
      }
      expect(events).toHaveLength(3);
      expect(new Set(events.map((e) => e.messageId)).size).toBe(3);
      // The client_session entity's eventIndex, the events' numbers in their session.
      const indexes = events.map((e) => (e.context as { eventIndex?: number }).eventIndex);
      expect(indexes.sort()).toEqual([1, 2, 3]);
      const pageView = events.find((e) => e.type === 'page')!;
      expect(pageView).toMatchObject({
        userId: 'user-7',
        anonymousId: expect.any(String),
        properties: { url: `${env.site.origin}/shop/cart`, path: '/shop/cart', title: 'sdk' },
        context: {
          library: { name: 'snowplow-js', version: '4.10.1', namespace: 'sp1' },
          userAgent,
          ip: '127.0.0.0',
          browser: { name: expect.any(String) },
          screen: { width: expect.any(Number), height: expect.any(Number) },
          snowplow: { aid: appId, p: 'web', sid: expect.any(String) },
        },
      });
      // The tracker's web_page entity, decoded from co or cx.
      const entities = (pageView.context as { snowplow: { entities: Array<{ schema: string }> } })
        .snowplow.entities;
      expect(entities.map((e) => e.schema)).toContain(
        'iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0',
      );
      expect(events.find((e) => e.event === 'add-to-basket')).toMatchObject({
        type: 'track',
        properties: { category: 'shop', action: 'add-to-basket', label: 'A-1', value: 2 },
      });
      const checkout = events.find((e) => e.event === 'checkout_started')!;
      expect(checkout).toMatchObject({
        properties: { step: 1 },
        context: {
          snowplow: { schema: CHECKOUT, entities: expect.arrayContaining([CART_ENTITY]) },
        },
      });
      expect(await env.pipeline.stored(0, 'quarantine/')).toEqual([]);
    });
  },
);
