// Snowplow's two endpoints: the source is chosen by app id, the origin allowlist holds, the
// pixel answers a GIF, and bad input is a 4xx (or quarantine with its reason), never a 5xx.
import { describe, expect, it } from 'vitest';
import { createCollectorApp } from './app.js';
import { memoryQueuePerTest, queue, queued } from './test-queue.js';
import {
  bodyOf,
  CLIENT_IP,
  expectError,
  expectPreflightAllowed,
  preflight,
  shop,
  testSources,
} from './test-support.js';

memoryQueuePerTest();

const PAYLOAD = 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4';
const JSON_TYPE = 'application/json; charset=UTF-8';
const config = {
  limits: { ipRate: null, ipEventRate: null, ipByteRate: null },
  sources: [
    ...testSources,
    { id: 'web', snowplowAppIds: ['site-1'], allowedOrigins: [shop.origin] },
    { id: 'jobs', snowplowAppIds: ['jobs'] },
  ],
};

function app() {
  return createCollectorApp({ queue, config, clientIp: () => CLIENT_IP });
}

function event(fields: Record<string, string> = {}) {
  return {
    e: 'pv',
    eid: `e-${Math.random()}`,
    aid: 'site-1',
    p: 'web',
    duid: 'd-1',
    tv: 'js-4.10.1',
    ...fields,
  };
}

function post(events: unknown[], headers: Record<string, string> = {}) {
  return app().request('/com.snowplowanalytics.snowplow/tp2', {
    method: 'POST',
    headers: { 'content-type': JSON_TYPE, origin: shop.origin, ...headers },
    body: JSON.stringify({ schema: PAYLOAD, data: events }),
  });
}

describe('Snowplow tracker protocol v2', () => {
  it('stores a POSTed payload_data in the source that lists its app id, with CORS for credentials', async () => {
    const res = await post([
      event({ eid: 'e-1' }),
      event({ eid: 'e-2', e: 'se', se_ca: 'c', se_ac: 'a' }),
    ]);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(shop.origin);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(await res.json()).toMatchObject({ success: true, accepted: 2, rejectedCount: 0 });
    const entries = await queued();
    expect(entries.map((e) => [e.source, e.id])).toEqual([
      ['web', 'e-1'],
      ['web', 'e-2'],
    ]);
    expect(bodyOf(entries[0]!)).toMatchObject({
      type: 'page',
      context: { ip: '203.0.113.0', library: { name: 'snowplow-js', version: '4.10.1' } },
    });
  });

  it("answers the browser tracker's preflight for content-type with the exact origin", async () => {
    const res = await preflight(app(), '/com.snowplowanalytics.snowplow/tp2', {
      origin: shop.origin,
      method: 'POST',
      headers: 'content-type',
    });
    expectPreflightAllowed(res, shop.origin);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(
      'content-type',
    );
  });

  it('answers the pixel with a 1×1 GIF and stores its query-string event', async () => {
    const query = new URLSearchParams(event({ eid: 'e-get', url: 'https://shop.example/a' }));
    const res = await app().request(`/i?${query}`, { headers: { referer: `${shop.origin}/a` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/gif');
    const gif = new Uint8Array(await res.arrayBuffer());
    expect(new TextDecoder().decode(gif.subarray(0, 6))).toBe('GIF89a');
    const [entry] = await queued();
    expect(entry).toMatchObject({ id: 'e-get', source: 'web' });
    expect(bodyOf(entry!)).toMatchObject({ context: { page: { url: 'https://shop.example/a' } } });
  });

  it('refuses an unknown or missing app id with a 401 and stores nothing, on both endpoints', async () => {
    const unknown = await expectError(await post([event({ aid: 'other' })]), 401, 'unauthorized');
    expect(unknown).toMatchObject({ path: 'aid', message: expect.stringContaining('"other"') });
    const { aid: _aid, ...noApp } = event();
    await expectError(await post([noApp]), 401, 'unauthorized');
    // The pixel answers the error too: no image for an event that was not stored.
    const pixel = await app().request(`/i?${new URLSearchParams(event({ aid: 'other' }))}`);
    await expectError(pixel, 401, 'unauthorized');
    // One request may not mix two sources' app ids.
    await expectError(await post([event(), event({ aid: 'jobs' })]), 401, 'unauthorized');
    expect(await queued()).toEqual([]);
  });

  it("refuses a page origin the app id's source does not allow (403), for POST and the pixel's Referer", async () => {
    await expectError(
      await post([event()], { origin: 'https://evil.example' }),
      403,
      'origin_not_allowed',
    );
    const pixel = await app().request(`/i?${new URLSearchParams(event())}`, {
      headers: { referer: 'https://evil.example/page' },
    });
    await expectError(pixel, 403, 'origin_not_allowed');
    expect(await queued()).toEqual([]);
  });

  it('answers 400 for a body that is not payload_data, and quarantines an event that does not decode', async () => {
    const wrong = await app().request('/com.snowplowanalytics.snowplow/tp2', {
      method: 'POST',
      headers: { 'content-type': JSON_TYPE },
      body: JSON.stringify({ schema: 'iglu:com.acme/x/jsonschema/1-0-0', data: [event()] }),
    });
    expect(await expectError(wrong, 400, 'invalid_batch')).toMatchObject({ path: 'schema' });
    const res = await post([event({ eid: 'e-bad', cx: '!!' }), event({ eid: 'e-ok' })]);
    expect(await res.json()).toMatchObject({
      accepted: 1,
      rejectedCount: 1,
      rejected: [{ index: 0, messageId: 'e-bad', errors: [{ path: 'cx' }] }],
    });
    const kinds = (await queued()).map((e) => [e.id, e.kind]);
    expect(kinds).toEqual([
      ['e-bad', 'quarantine'],
      ['e-ok', 'event'],
    ]);
  });

  it('holds the limits: 2,501 events is a 400, a body over maxRequestBytes a 413', async () => {
    const many = Array.from({ length: 2_501 }, () => ({ e: 'pv', aid: 'site-1', duid: 'd' }));
    expect(await expectError(await post(many), 400, 'invalid_batch')).toMatchObject({
      path: 'data',
    });
    const big = event({ page: 'x'.repeat(600_000) });
    await expectError(await post([big]), 413, 'payload_too_large');
    expect(await queued()).toEqual([]);
  });

  it('keeps a server tracker (p=srv) without the connection address or a browser user agent', async () => {
    const res = await app().request('/com.snowplowanalytics.snowplow/tp2', {
      method: 'POST',
      headers: { 'content-type': JSON_TYPE, 'user-agent': 'node-fetch' },
      body: JSON.stringify({
        schema: PAYLOAD,
        data: [event({ aid: 'jobs', p: 'srv', tv: 'node-4.8.0' })],
      }),
    });
    expect(res.status).toBe(200);
    const stored = bodyOf((await queued())[0]!);
    expect(stored.context).not.toHaveProperty('ip');
    expect(stored.context).not.toHaveProperty('userAgent');
  });
});
