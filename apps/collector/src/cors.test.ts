import { describe, expect, it } from 'vitest';
import { createCollectorApp } from './app.js';
import { parseCollectorConfig } from './config.js';
import { PREFLIGHT_MAX_AGE_SECONDS } from './cors.js';
import { memoryQueuePerTest, queue } from './test-queue.js';
import {
  blog,
  expectPreflightAllowed,
  preflight,
  shop,
  testConfig,
  trackEvent,
} from './test-support.js';

memoryQueuePerTest();

function beacon(origin: string, writeKey = shop.key, config = testConfig) {
  return createCollectorApp({ queue, config }).request('/v1/batch', {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain;charset=UTF-8', Origin: origin },
    body: JSON.stringify({ writeKey, batch: [trackEvent()] }),
  });
}

function preflightBatch(origin: string) {
  return preflight(createCollectorApp({ queue, config: testConfig }), '/v1/batch', {
    origin,
    method: 'POST',
    headers: 'content-type',
  });
}

describe('CORS on /v1/batch', () => {
  it('reflects an allowed origin exactly, with credentials, and varies on Origin', async () => {
    const res = await beacon(shop.origin);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(shop.origin);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('vary')).toMatch(/\bOrigin\b/);
  });

  it('reflects the origin, never "*", for a source that allows any origin', async () => {
    const config = parseCollectorConfig({
      sources: [{ id: 'open', writeKeys: ['wk_open'], allowedOrigins: ['*'] }],
    });
    const res = await beacon('https://anywhere.example', 'wk_open', config);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://anywhere.example');
  });

  it('gives a denied origin no Access-Control-Allow-Origin', async () => {
    const res = await beacon('https://evil.example');
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets an allowed page read error answers (so the tag can tell a 400 from a 503)', async () => {
    const res = await beacon(shop.origin, 'wk_unknown');
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe(shop.origin);
    // ...and read Retry-After, to wait as long as a 429 or 503 asks.
    expect(res.headers.get('access-control-expose-headers')).toBe('Retry-After');
  });

  it('reflects an origin allowed by a wildcard subdomain', async () => {
    const res = await beacon('https://eu.shop.example');
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://eu.shop.example');
  });

  it('answers a preflight from an origin some source allows', async () => {
    // The preflight carries no write key: the blog's origin is allowed by the blog source.
    const res = await preflightBatch(blog.origin);
    expectPreflightAllowed(res, blog.origin);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')).toBe(
      'Content-Type,Authorization,Content-Encoding,AnonymousId,SentAt,SP-Anonymous',
    );
    expect(res.headers.get('access-control-max-age')).toBe(String(PREFLIGHT_MAX_AGE_SECONDS));
    expect(res.headers.get('vary')).toMatch(/\bOrigin\b/);
  });

  it('does not allow a preflight from an origin no source allows', async () => {
    const res = await preflightBatch('https://evil.example');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
