import { describe, expect, it } from 'vitest';
import { createCollectorApp, TAG_MAX_AGE_SECONDS } from './app.js';
import { memoryQueuePerTest, queue } from './test-queue.js';
import { shop, testConfig } from './test-support.js';

const TAG = 'window.sluice={track(){}};';

memoryQueuePerTest();

describe('createCollectorApp', () => {
  it('serves the tag script with a JavaScript type, cache headers and an ETag', async () => {
    const app = createCollectorApp({ queue, config: testConfig, tagScript: TAG });
    const res = await app.request('/s.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/javascript/);
    expect(res.headers.get('cache-control')).toBe(`public, max-age=${TAG_MAX_AGE_SECONDS}`);
    expect(await res.text()).toBe(TAG);
    const etag = res.headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await app.request('/s.js', { headers: { 'If-None-Match': etag! } });
    expect(again.status).toBe(304);
  });

  it('answers /s.js with a JSON 404 when no tag script is configured', async () => {
    const res = await createCollectorApp({ queue, config: testConfig }).request('/s.js');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('serves a demo page that loads the tag with the first write key and no inline script', async () => {
    const app = createCollectorApp({ queue, config: testConfig, tagScript: TAG });
    const res = await app.request('/demo');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    const page = await res.text();
    expect(page).toContain(`<script src="/s.js" data-key="${shop.key}"`);
    const scripts = page.match(/<script[^>]*>/g) ?? [];
    expect(scripts.length).toBe(2);
    for (const tag of scripts) expect(tag).toMatch(/ src="\//);
    expect(page).toMatch(/data-call="track"/);
    expect(page).toMatch(/data-call="flush"/);

    const handlers = await app.request('/demo.js');
    expect(handlers.headers.get('content-type')).toMatch(/^application\/javascript/);
    expect(await handlers.text()).toContain('sluice.track(');
  });

  it('answers /healthz with 200', async () => {
    const res = await createCollectorApp({ queue, config: testConfig }).request('/healthz');
    expect(res.status).toBe(200);
  });

  it('answers unknown paths with a JSON 404', async () => {
    const res = await createCollectorApp({ queue, config: testConfig }).request('/v1/nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { code: 'not_found', message: 'no route for GET /v1/nope' },
    });
  });

  it('refuses to start with an invalid config, naming the problem', () => {
    const config = { sources: [{ id: 'Shop!', writeKeys: ['k'], allowedOrigins: [] }] };
    expect(() => createCollectorApp({ queue, config: config as never })).toThrow(/sources\.0\.id/);
  });
});
