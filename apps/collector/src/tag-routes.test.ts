import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCollectorApp } from './app.js';
import { parseCollectorConfig } from './config.js';
import { VERSIONED_TAG_CACHE } from './tag-routes.js';
import { describeTagScript } from './tag-script.js';
import { memoryQueuePerTest, queue, queued } from './test-queue.js';
import { expectError, shop, testConfig, testSources, trackEvent } from './test-support.js';

// Not ASCII only: the hash is of the UTF-8 bytes as sent.
const TAG = 'window.sluice={track(){}};/* é */';
// Computed here with node:crypto, not with the code under test.
const sha384 = (bytes: ArrayBuffer) =>
  `sha384-${createHash('sha384').update(Buffer.from(bytes)).digest('base64')}`;

memoryQueuePerTest();

const firstParty = parseCollectorConfig({
  ...testConfig,
  paths: { prefix: '/a', script: 'x.js' },
});
const appWith = (config = testConfig) => createCollectorApp({ queue, config, tagScript: TAG });

describe('the tag at its versioned URL', () => {
  it('serves the same bytes as /s.js, immutable for a year, with an integrity hash that matches them', async () => {
    const app = appWith();
    const { integrity, version } = await describeTagScript(TAG);
    expect(version).toMatch(/^[0-9a-f]{12}$/);
    const res = await app.request(`/s.${version}.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe(VERSIONED_TAG_CACHE);
    expect(res.headers.get('content-type')).toMatch(/^application\/javascript/);
    const bytes = await res.arrayBuffer();
    expect(sha384(bytes)).toBe(integrity);
    expect(version).toBe(
      createHash('sha384').update(Buffer.from(bytes)).digest('hex').slice(0, 12),
    );
    const current = await app.request('/s.js');
    expect(Buffer.from(await current.arrayBuffer())).toEqual(Buffer.from(bytes));
  });

  it('lets a page on another origin check the hash (CORS on both URLs)', async () => {
    const { version } = await describeTagScript(TAG);
    for (const path of ['/s.js', `/s.${version}.js`]) {
      const res = await appWith().request(path, { headers: { Origin: 'https://any.example' } });
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
    }
  });

  it('answers another version with a JSON 404, so no page caches these bytes under it', async () => {
    await expectError(await appWith().request('/s.0123456789ab.js'), 404, 'not_found');
  });

  it('answers a JSON 404 when no tag script is configured', async () => {
    const { version } = await describeTagScript(TAG);
    const app = createCollectorApp({ queue, config: testConfig });
    await expectError(await app.request(`/s.${version}.js`), 404, 'not_found');
  });
});

describe('neutral paths (config paths)', () => {
  it('serves the tag at <prefix>/<script> and <prefix>/<name>.<version>.js', async () => {
    const app = appWith(firstParty);
    const { version } = await describeTagScript(TAG);
    const current = await app.request('/a/x.js');
    expect(current.status).toBe(200);
    expect(current.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    expect(await current.text()).toBe(TAG);
    const pinned = await app.request(`/a/x.${version}.js`);
    expect(pinned.headers.get('cache-control')).toBe(VERSIONED_TAG_CACHE);
    expect(await pinned.text()).toBe(TAG);
  });

  it('accepts events under <prefix>/v1/, where the tag served there sends them', async () => {
    const event = trackEvent();
    const res = await appWith(firstParty).request('/a/v1/batch', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain;charset=UTF-8', Origin: shop.origin },
      body: JSON.stringify({ writeKey: shop.key, batch: [event] }),
    });
    expect(res.status).toBe(200);
    const [entry] = await queued();
    expect(entry).toMatchObject({ id: event.messageId, source: 'shop' });
  });

  it('keeps the root paths, and serves nothing but the tag and the API under the prefix', async () => {
    const app = appWith(firstParty);
    expect((await app.request('/s.js')).status).toBe(200);
    expect((await app.request('/healthz')).status).toBe(200);
    for (const path of ['/a/healthz', '/a/openapi.json', '/a/demo', '/a/s.js', '/a/x.js/']) {
      await expectError(await app.request(path), 404, 'not_found');
    }
  });

  it('renames the tag at the root when only script is set', async () => {
    const config = parseCollectorConfig({ ...testConfig, paths: { script: 'p.js' } });
    expect(await (await appWith(config).request('/p.js')).text()).toBe(TAG);
  });

  it.each([
    [{ prefix: '/a/' }, 'paths.prefix'],
    [{ prefix: 'a' }, 'paths.prefix'],
    [{ prefix: '/../x' }, 'paths.prefix'],
    [{ script: 'x' }, 'paths.script'],
    [{ script: 'a/x.js' }, 'paths.script'],
    [{ script: 'demo.js' }, 'paths.script'],
  ])('refuses paths %j, naming %s', (paths, where) => {
    expect(() => parseCollectorConfig({ sources: testSources, paths })).toThrow(
      new RegExp(`${where.replace('.', '\\.')}: `),
    );
  });
});
