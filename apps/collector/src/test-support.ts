// Shared fixtures for the collector's tests (not part of the package's API).
import type { Queue, QueueEntry } from '@sluice/queue';
import { expect } from 'vitest';

export { bodyOf, trackEvent } from '@sluice/testkit/events';

import { type CollectorConfig, parseCollectorConfig } from './config.js';

export const SHOP_KEY = 'wk_shop';
export const BLOG_KEY = 'wk_blog';
export const BACKEND_KEY = 'wk_backend';
export const BACKEND_SECRET = 'sk_test_backend_secret';
/** `hashSecretKey(BACKEND_SECRET)`, as a config file holds it (checked in secret-keys.test.ts). */
export const BACKEND_SECRET_HASH =
  'sha256:2287256d3dc064038b199657547c37021349ea53659eaace7315420a909eb288';
export const SHOP_ORIGIN = 'https://shop.example';
export const BLOG_ORIGIN = 'https://blog.example';

/** The sources of `testConfig`, to build variants from. */
export const testSources = [
  {
    id: 'shop',
    writeKeys: [SHOP_KEY],
    allowedOrigins: [SHOP_ORIGIN, 'http://localhost:8080', 'https://*.shop.example'],
  },
  { id: 'blog', writeKeys: [BLOG_KEY], allowedOrigins: [BLOG_ORIGIN] },
  { id: 'backend', writeKeys: [BACKEND_KEY], secretKeys: [BACKEND_SECRET_HASH] },
];

/**
 * Three sources: a shop and a blog (browsers) and a backend (servers, no origins, with a
 * secret key). No per-IP limits, so tests that are not about limits are not limited.
 */
export const testConfig: CollectorConfig = parseCollectorConfig({
  limits: { ipRate: null, ipEventRate: null, ipByteRate: null },
  sources: testSources,
});

/** Everything appended to the queue so far. */
export async function readQueue(queue: Queue): Promise<QueueEntry[]> {
  const consumer = await queue.consumer(`test-${Math.random()}`);
  const entries = await consumer.read(10_000, 0);
  await consumer.close();
  return entries;
}

/** Checks an error answer: its status, a JSON body with this code and a message; returns the error. */
export async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const json = (await res.json()) as { error: { code: string; message: string; path?: string } };
  expect(json.error.code).toBe(code);
  expect(json.error.message).toEqual(expect.any(String));
  return json.error;
}

/** The RFC 5737 documentation address the tests' clients come from. */
export const CLIENT_IP = '203.0.113.77';

/** A browser's CORS preflight: a page on `origin` asks to send `method` with `headers`. */
export function preflight(
  app: { request(path: string, init: RequestInit): Response | Promise<Response> },
  path: string,
  ask: { origin: string; method: string; headers: string },
): Promise<Response> {
  return Promise.resolve(
    app.request(path, {
      method: 'OPTIONS',
      headers: {
        Origin: ask.origin,
        'Access-Control-Request-Method': ask.method,
        'Access-Control-Request-Headers': ask.headers,
      },
    }),
  );
}

/** HTTP Basic auth with a write key as the user and no password, as the SDKs send it. */
export const basicAuth = (key: string) => `Basic ${btoa(`${key}:`)}`;
