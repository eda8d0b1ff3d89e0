// Snowplow's Node tracker, @snowplow/node-tracker v4 (npm, unchanged), against a running
// collector: its one setting, the emitter's `endpoint`, points at sluice. It POSTs payload_data
// to /com.snowplowanalytics.snowplow/tp2; with `encodeBase64` (its default) self-describing
// data and entities travel as `ue_px`/`cx`, without it as `ue_pr`/`co`. Each event is stored
// once, mapped the same way from either form.
import {
  buildEcommerceTransaction,
  buildEcommerceTransactionItem,
  buildPagePing,
  buildPageView,
  buildSelfDescribingEvent,
  buildStructEvent,
  newTracker,
} from '@snowplow/node-tracker';
import { describe, expect, it } from 'vitest';
import { useSdkPipeline } from './sdk-pipeline.js';

const pipeline = useSdkPipeline([{ id: 'jobs', snowplowAppIds: ['jobs-plain', 'jobs-base64'] }]);

const CART = 'iglu:com.acme/cart_updated/jsonschema/1-0-0';
const USER_ENTITY = { schema: 'iglu:com.acme/user/jsonschema/1-0-0', data: { tier: 'gold' } };

type Sent = Array<Record<string, unknown>>;

/** The SDK calls its success and failure callbacks from a timer set before flush resolves. */
const afterCallbacks = () => new Promise((resolve) => setTimeout(resolve, 0));

async function sendEverything(appId: string, encodeBase64: boolean) {
  const sent: Sent = [];
  const failures: unknown[] = [];
  const url = new URL(pipeline.url);
  const tracker = newTracker(
    { namespace: 'jobs', appId, encodeBase64 },
    {
      endpoint: url.hostname,
      port: Number(url.port),
      protocol: 'http',
      bufferSize: 3,
      // Only observed: what the SDK sent, and any failure.
      onRequestSuccess: (batch) => sent.push(...(batch as Sent)),
      onRequestFailure: (failure) => failures.push(failure),
    },
  );
  tracker.setDomainUserId(`device-${appId}`);
  tracker.setUserId('user-1');
  tracker.track(buildPageView({ pageUrl: 'https://shop.example/cart', pageTitle: 'Cart' }));
  // The SDK leaves out a 0 offset (`if (minXOffset && ...)`), so none is 0 here.
  tracker.track(
    buildPagePing({
      pageUrl: 'https://shop.example/cart',
      minXOffset: 1,
      maxXOffset: 5,
      minYOffset: 10,
      maxYOffset: 400,
    }),
  );
  tracker.track(
    buildStructEvent({ category: 'shop', action: 'add', label: 'A-1', property: 'red', value: 2 }),
  );
  tracker.track(buildSelfDescribingEvent({ event: { schema: CART, data: { items: 3 } } }), [
    USER_ENTITY,
  ]);
  tracker.track(buildEcommerceTransaction({ orderId: 'o-1', total: 42.5, currency: 'EUR' }));
  tracker.track(
    buildEcommerceTransactionItem({
      orderId: 'o-1',
      sku: 'A-1',
      name: 'Mug',
      price: 8,
      quantity: 2,
    }),
  );
  await tracker.flush();
  await afterCallbacks();
  return { sent, failures };
}

describe.each([
  ['jobs-plain', false],
  ['jobs-base64', true],
])('@snowplow/node-tracker with appId %s (encodeBase64 %s)', (appId, encodeBase64) => {
  it('delivers page view, ping, structured, self-describing and transaction events, each stored once', async () => {
    const { sent, failures } = await sendEverything(appId, encodeBase64);
    expect(failures).toEqual([]);
    expect(sent).toHaveLength(6);
    const ue = sent.find((p) => p.e === 'ue')!;
    expect(Object.keys(ue)).toEqual(
      expect.arrayContaining(encodeBase64 ? ['ue_px', 'cx'] : ['ue_pr', 'co']),
    );

    const all = await pipeline.stored(encodeBase64 ? 12 : 6);
    const events = all.map((l) => l.event).filter((e) => e.anonymousId === `device-${appId}`);
    expect(events.map((e) => e.messageId).sort()).toEqual(sent.map((p) => p.eid).sort());
    const byEvent = (name: string) => events.find((e) => e.event === name || e.type === name)!;
    expect(byEvent('page')).toMatchObject({
      userId: 'user-1',
      properties: { url: 'https://shop.example/cart', title: 'Cart', path: '/cart' },
      context: {
        library: { name: 'snowplow-node', version: '4.8.0', namespace: 'jobs' },
        snowplow: { aid: appId, p: 'srv' },
      },
    });
    expect(byEvent('Page Ping').properties).toEqual({
      url: undefined,
      minXOffset: 1,
      maxXOffset: 5,
      minYOffset: 10,
      maxYOffset: 400,
    });
    expect(byEvent('add').properties).toMatchObject({ category: 'shop', label: 'A-1', value: 2 });
    expect(byEvent('cart_updated')).toMatchObject({
      properties: { items: 3 },
      context: { snowplow: { schema: CART, entities: [USER_ENTITY] } },
    });
    expect(byEvent('Transaction').properties).toMatchObject({
      order_id: 'o-1',
      total: 42.5,
      currency: 'EUR',
    });
    expect(byEvent('Transaction Item').properties).toMatchObject({
      sku: 'A-1',
      name: 'Mug',
      quantity: 2,
    });
    // A server tracker: its connection's address and User-Agent are not the user's.
    expect(byEvent('page').context).not.toHaveProperty('ip');
    expect(byEvent('page').context).not.toHaveProperty('userAgent');
    expect(await pipeline.stored(0, 'quarantine/')).toEqual([]);
  });
});

it('hears a 401 for an app id no source lists, and nothing is stored', async () => {
  const acknowledgedBefore = pipeline.acknowledged.length;
  const failures: Array<{ status?: number; willRetry?: boolean }> = [];
  const url = new URL(pipeline.url);
  const tracker = newTracker(
    { namespace: 'x', appId: 'unknown-app' },
    {
      endpoint: url.hostname,
      port: Number(url.port),
      protocol: 'http',
      bufferSize: 1,
      onRequestFailure: (failure) => failures.push(failure as { status?: number }),
    },
  );
  tracker.setUserId('user-9');
  tracker.track(buildStructEvent({ category: 'c', action: 'a' }));
  await tracker.flush();
  await afterCallbacks();
  expect(failures.map((f) => [f.status, f.willRetry])).toEqual([[401, false]]);
  expect(pipeline.acknowledged).toHaveLength(acknowledgedBefore);
});
