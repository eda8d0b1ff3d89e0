import { batchRequestSchema, eventSchema } from '@sluice/schema';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTracker } from './create-tracker.js';
import { startTestCollector, type TestCollector } from './test-collector.js';
import type { TrackerOptions } from './types.js';

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
let collector: TestCollector;
// Quiet by default: no page view, no timer within a test's lifetime.
const options = (more: Partial<TrackerOptions> = {}): TrackerOptions => ({
  writeKey: 'wk_test',
  endpoint: collector.endpoint,
  flushInterval: 60_000,
  autoPageview: false,
  ...more,
});
const setVisibility = (state: DocumentVisibilityState) => {
  Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
  document.dispatchEvent(new Event('visibilitychange'));
};

beforeAll(async () => {
  collector = await startTestCollector();
});
afterAll(() => collector.close());
beforeEach(() => {
  collector.requests.length = 0;
  localStorage.clear();
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  Reflect.deleteProperty(document, 'visibilityState');
});

describe('createTracker batching', () => {
  it('records a page view on load and sends it once flushInterval has passed', async () => {
    createTracker(options({ autoPageview: undefined, flushInterval: 80 }));
    await sleep(30);
    expect(collector.requests).toHaveLength(0);
    await collector.waitForPosts(1);
    const [body] = collector.bodies();
    expect(body!.batch.map((e) => e.type)).toEqual(['page']);
  });

  it('sends as soon as the batch holds flushAt events, in the order recorded', async () => {
    const tracker = createTracker(options({ flushAt: 3 }));
    tracker.track('one');
    tracker.track('two');
    await sleep(30);
    expect(collector.requests).toHaveLength(0);
    tracker.track('three');
    await collector.waitForPosts(1);
    expect(collector.bodies()[0]!.batch.map((e) => e.event)).toEqual(['one', 'two', 'three']);
  });

  it('sends when the page becomes hidden, not when it becomes visible', async () => {
    const tracker = createTracker(options());
    tracker.track('before hiding');
    setVisibility('visible');
    await sleep(30);
    expect(collector.requests).toHaveLength(0);
    setVisibility('hidden');
    await collector.waitForPosts(1);
    expect(collector.bodies()[0]!.batch[0]!.event).toBe('before hiding');
  });

  it('sends on pagehide', async () => {
    const tracker = createTracker(options());
    tracker.track('leaving');
    window.dispatchEvent(new Event('pagehide'));
    await collector.waitForPosts(1);
    expect(collector.bodies()[0]!.batch[0]!.event).toBe('leaving');
  });

  it('sends each event once: flush empties the batch', async () => {
    const tracker = createTracker(options());
    tracker.track('once');
    tracker.flush();
    tracker.flush();
    window.dispatchEvent(new Event('pagehide'));
    await sleep(50);
    expect(collector.bodies().flatMap((b) => b.batch)).toHaveLength(1);
  });

  it('splits a batch over 64 KB into several bodies, each under the beacon quota', async () => {
    const tracker = createTracker(options({ flushAt: 100 }));
    for (let i = 0; i < 60; i++) tracker.track(`big ${i}`, { text: 'é'.repeat(1500) });
    tracker.flush();
    await collector.waitForPosts(3);
    await sleep(30);
    const posts = collector.requests.filter((r) => r.method === 'POST');
    for (const post of posts) expect(Buffer.byteLength(post.body)).toBeLessThanOrEqual(64 * 1024);
    const names = collector.bodies().flatMap((b) => b.batch.map((e) => e.event));
    expect(names).toEqual(Array.from({ length: 60 }, (_, i) => `big ${i}`));
  });
});

describe('createTracker events', () => {
  it('posts text/plain JSON {writeKey, sentAt, batch} of events the collector accepts', async () => {
    const tracker = createTracker(options());
    tracker.page('Pricing', { plan: 'pro' });
    tracker.track('Signed Up', { plan: 'pro' });
    tracker.identify('user-42', { email: 'a@example.com' });
    tracker.track('After identify');
    tracker.flush();
    await collector.waitForPosts(1);
    // happy-dom preflights every cross-origin request; Chromium does not for text/plain (e2e).
    const [post] = collector.requests.filter((r) => r.method === 'POST');
    expect(post!.path).toBe('/v1/batch');
    expect(post!.contentType).toMatch(/^text\/plain/);

    const body = JSON.parse(post!.body);
    expect(batchRequestSchema.safeParse(body).success).toBe(true);
    expect(body.writeKey).toBe('wk_test');
    expect(Date.parse(body.sentAt)).toBeGreaterThan(Date.now() - 5000);
    for (const event of body.batch) expect(eventSchema.safeParse(event).error).toBeUndefined();

    const [page, track, identify, after] = body.batch;
    expect(page).toMatchObject({ type: 'page', name: 'Pricing', properties: { plan: 'pro' } });
    expect(track).toMatchObject({ type: 'track', event: 'Signed Up', properties: { plan: 'pro' } });
    expect(track.userId).toBeUndefined();
    expect(identify).toMatchObject({
      type: 'identify',
      userId: 'user-42',
      traits: { email: 'a@example.com' },
    });
    expect(after).toMatchObject({ type: 'track', userId: 'user-42' });
    expect(page.context).toEqual({
      page: {
        url: location.href,
        path: location.pathname,
        referrer: document.referrer,
        title: document.title,
        search: location.search,
      },
      locale: navigator.language,
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      screen: { width: screen.width, height: screen.height },
      library: { name: 'sluice', version: expect.any(String) },
    });
    expect(Math.abs(Date.parse(page.timestamp) - Date.now())).toBeLessThan(5000);
  });

  it('gives every event its own 21-character messageId', async () => {
    const tracker = createTracker(options({ flushAt: 100 }));
    for (let i = 0; i < 50; i++) tracker.track('click');
    tracker.flush();
    await collector.waitForPosts(1);
    const ids = collector.bodies()[0]!.batch.map((e) => e.messageId as string);
    expect(new Set(ids).size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{21}$/);
  });

  it('keeps anonymousId and userId across tracker instances (pages)', async () => {
    const first = createTracker(options());
    first.identify('user-7');
    first.flush();
    const second = createTracker(options());
    second.track('next page');
    second.flush();
    await collector.waitForPosts(2);
    const [a, b] = collector.bodies().map((body) => body.batch[0]!);
    expect(a!.anonymousId).toMatch(/^[A-Za-z0-9_-]{21}$/);
    expect(b!.anonymousId).toBe(a!.anonymousId);
    expect(localStorage.getItem('sluice_aid')).toBe(a!.anonymousId);
    expect(b!.userId).toBe('user-7');
  });
});

describe('createTracker in a hostile page', () => {
  it('keeps working in memory when localStorage throws', async () => {
    // As in sandboxed iframes and with cookies blocked: merely reading `localStorage` throws.
    const original = Object.getOwnPropertyDescriptor(globalThis, 'localStorage')!;
    Object.defineProperty(globalThis, 'localStorage', {
      configurable: true,
      get() {
        throw new DOMException('The operation is insecure.', 'SecurityError');
      },
    });
    try {
      const first = createTracker(options());
      first.track('a');
      first.flush();
      const second = createTracker(options());
      second.track('b');
      second.flush();
    } finally {
      Object.defineProperty(globalThis, 'localStorage', original);
    }
    await collector.waitForPosts(2);
    const [a, b] = collector.bodies().map((body) => body.batch[0]!);
    expect(a!.anonymousId).toMatch(/^[A-Za-z0-9_-]{21}$/);
    expect(b!.anonymousId).toBe(a!.anonymousId);
  });

  it('still sends events with unique ids when crypto is missing', async () => {
    vi.stubGlobal('crypto', undefined);
    const tracker = createTracker(options({ flushAt: 100 }));
    for (let i = 0; i < 20; i++) tracker.track('no crypto');
    tracker.flush();
    await collector.waitForPosts(1);
    const ids = collector.bodies()[0]!.batch.map((e) => e.messageId as string);
    expect(new Set(ids).size).toBe(20);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{21}$/);
  });

  it('throws nothing into the page when the browser refuses to send', () => {
    vi.spyOn(navigator, 'sendBeacon').mockImplementation(() => {
      throw new TypeError('Illegal invocation');
    });
    vi.stubGlobal('fetch', undefined);
    const tracker = createTracker(options({ flushAt: 1 }));
    expect(() => {
      tracker.track('x');
      tracker.page();
      tracker.identify('u');
      tracker.flush();
      window.dispatchEvent(new Event('pagehide'));
    }).not.toThrow();
  });

  it('throws nothing into the page when given values JSON cannot encode', () => {
    const tracker = createTracker(options());
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => {
      tracker.track('cyclic', cyclic);
      tracker.track('bigint', { n: 1n });
      tracker.flush();
    }).not.toThrow();
  });
});
