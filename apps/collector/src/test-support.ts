// Shared fixtures for the collector's tests (not part of the package's API).
import type { Queue, QueueEntry } from '@sluice/queue';
import { expect } from 'vitest';

export { bodyOf, trackEvent } from '@sluice/testkit/events';

import { type CollectorConfig, parseCollectorConfig } from './config.js';

/** The shop's browser source: its write key and the origin its pages are on. */
export const shop = { key: 'wk_shop', origin: 'https://shop.example' };
/** The blog's browser source. */
export const blog = { key: 'wk_blog', origin: 'https://blog.example' };
/** The backend's server source: a write key and its secret key (no origins). */
export const backend = {
  key: 'wk_backend',
  secret: 'sk_test_backend_secret',
  /** `hashSecretKey(secret)`, as a config file holds it (checked in secret-keys.test.ts). */
  secretHash: 'sha256:2287256d3dc064038b199657547c37021349ea53659eaace7315420a909eb288',
};

/** The sources of `testConfig`, to build variants from. */
export const testSources = [
  {
    id: 'shop',
    writeKeys: [shop.key],
    allowedOrigins: [shop.origin, 'http://localhost:8080', 'https://*.shop.example'],
  },
  { id: 'blog', writeKeys: [blog.key], allowedOrigins: [blog.origin] },
  { id: 'backend', writeKeys: [backend.key], secretKeys: [backend.secretHash] },
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

/** Checks the answer of a request whose `accepted` events were all taken (none rejected). */
export async function expectAccepted(res: Response, accepted: number): Promise<void> {
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ success: true, accepted, rejectedCount: 0, rejected: [] });
}

/** Checks a preflight's answer: allowed (204), for exactly this origin. */
export function expectPreflightAllowed(res: Response, origin: string): void {
  expect(res.status).toBe(204);
  expect(res.headers.get('access-control-allow-origin')).toBe(origin);
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
