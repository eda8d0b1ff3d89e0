// RudderStack's JS SDK sends nothing until GET /sourceConfig names an enabled source; it asks
// with Basic auth from the page's origin, so the preflight must allow that.
import { createMemoryQueue } from '@sluice/queue';
import { describe, expect, it } from 'vitest';
import { createCollectorApp } from './app.js';
import {
  basicAuth,
  expectError,
  expectPreflightAllowed,
  preflight,
  shop,
  testConfig,
} from './test-support.js';

const app = () => createCollectorApp({ queue: createMemoryQueue(), config: testConfig });

describe('GET /sourceConfig', () => {
  it('answers the preflight of a page on an allowed origin asking for authorization', async () => {
    const res = await preflight(app(), '/sourceConfig/?p=npm&v=3.34.1&writeKey=x', {
      origin: shop.origin,
      method: 'GET',
      headers: 'authorization',
    });
    expectPreflightAllowed(res, shop.origin);
    expect(res.headers.get('access-control-allow-methods')).toContain('GET');
    expect(res.headers.get('access-control-allow-headers')).toContain('Authorization');
  });

  it.each([
    ['Basic auth', `/sourceConfig/?p=npm`, { Authorization: basicAuth(shop.key) }],
    ['the writeKey parameter', `/sourceConfig?writeKey=${shop.key}`, {}],
  ])('names an enabled source for the write key given by %s', async (_, path, headers) => {
    const res = await app().request(path, { headers: { Origin: shop.origin, ...headers } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(shop.origin);
    expect(await res.json()).toMatchObject({
      source: { id: 'shop', writeKey: shop.key, enabled: true, destinations: [] },
    });
  });

  it('is 404 for an unknown or missing key and 403 for an origin the source does not allow', async () => {
    const unknown = await app().request('/sourceConfig/', {
      headers: { Authorization: basicAuth('wk_nope') },
    });
    await expectError(unknown, 404, 'not_found');
    await expectError(await app().request('/sourceConfig/'), 404, 'not_found');
    const foreign = await app().request('/sourceConfig/', {
      headers: { Authorization: basicAuth(shop.key), Origin: 'https://evil.example' },
    });
    await expectError(foreign, 403, 'origin_not_allowed');
  });
});
