import { batchRequestSchema, eventSchema, MAX_BEACON_BYTES } from '@sluice/schema';
import { describe, expect, it, vi } from 'vitest';
import { SESSION_TIMEOUT_MS } from './limits.js';
import { sleep, started, useTrackerKit } from './test-tracker.js';

const kit = useTrackerKit();

describe('createTracker: events', () => {
  it('posts the Segment calls as text/plain /v1/batch bodies the collector accepts', async () => {
    const tracker = kit.make();
    tracker.page('Pricing', { plan: 'pro' });
    tracker.track('Signed Up', { plan: 'pro' });
    tracker.identify('user-42', { email: 'a@example.com' });
    tracker.group('acme', { seats: 12 });
    tracker.alias('user-43');
    tracker.alias('user-44', 'user-43');
    tracker.flush();
    const events = await kit.waitForEvents(6);
    const [post] = kit.collector.requests.filter((r) => r.method === 'POST');
    expect(post!.path).toBe('/v1/batch');
    expect(post!.contentType).toMatch(/^text\/plain/);
    const body = JSON.parse(post!.body);
    expect(batchRequestSchema.safeParse(body).success).toBe(true);
    expect(body.writeKey).toBe('wk_test');
    for (const event of events) expect(eventSchema.safeParse(event).error).toBeUndefined();

    const [page, track, identify, group, alias, aliasFrom] = events;
    expect(page).toMatchObject({ type: 'page', name: 'Pricing', properties: { plan: 'pro' } });
    expect(track).toMatchObject({ type: 'track', event: 'Signed Up', properties: { plan: 'pro' } });
    expect(track!.userId ?? undefined).toBeUndefined(); // null: not identified yet
    expect(identify).toMatchObject({
      type: 'identify',
      userId: 'user-42',
      traits: { email: 'a@example.com' },
    });
    expect(group).toMatchObject({ type: 'group', groupId: 'acme', traits: { seats: 12 } });
    expect(group!.userId).toBe('user-42');
    expect(alias).toMatchObject({ type: 'alias', userId: 'user-43', previousId: 'user-42' });
    expect(aliasFrom).toMatchObject({ type: 'alias', userId: 'user-44', previousId: 'user-43' });
    expect(Math.abs(Date.parse(page!.timestamp as string) - Date.now())).toBeLessThan(5000);
  });

  it('sends the context: page, campaign, session, locale, time zone, screen, library', async () => {
    history.replaceState(null, '', '/shoes?utm_source=news&utm_campaign=spring&size=9');
    document.title = 'Shoes';
    const tracker = kit.make();
    tracker.track('Viewed');
    tracker.flush();
    const [event] = await kit.waitForEvents(1);
    expect(event!.context).toEqual({
      page: {
        url: `${location.origin}/shoes?utm_source=news&utm_campaign=spring&size=9`,
        path: '/shoes',
        referrer: document.referrer,
        title: 'Shoes',
        search: '?utm_source=news&utm_campaign=spring&size=9',
      },
      campaign: { source: 'news', name: 'spring' },
      sessionId: expect.any(Number),
      eventIndex: 1,
      locale: navigator.language,
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      screen: { width: screen.width, height: screen.height },
      library: { name: 'sluice', version: expect.any(String) },
    });
  });

  it('gives every event its own random messageId', async () => {
    const tracker = kit.make({ flushAt: 100 });
    for (let i = 0; i < 50; i++) tracker.track('click');
    tracker.flush();
    const ids = (await kit.waitForEvents(50)).map((e) => e.messageId as string);
    expect(new Set(ids).size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^\d{20,40}$/);
  });

  it('keeps anonymousId, userId and the session across pages, until reset()', async () => {
    const first = kit.make();
    first.identify('user-7');
    first.flush();
    await kit.waitForEvents(1); // delivered, as a page being left does
    // ... and its answer read: until then the event stays in the shared outbox, and the next
    // page would send it again (a copy storage removes, but not the order this test reads).
    await kit.collector.waitFor(() => !localStorage.getItem('sluice_q'));
    const second = kit.make(); // the next page
    second.track('next page');
    second.reset();
    second.track('after logout');
    second.flush();
    const [a, b, c] = await kit.waitForEvents(3);
    expect(b!.anonymousId).toBe(a!.anonymousId);
    expect(b!.userId).toBe('user-7');
    expect(b!.context).toMatchObject({
      sessionId: (a!.context as { sessionId: number }).sessionId,
    });
    expect(c!.anonymousId).not.toBe(a!.anonymousId);
    expect(c!.userId ?? undefined).toBeUndefined();
  });

  it('starts a new session after 30 minutes without events', async () => {
    const tracker = kit.make();
    tracker.track('before');
    vi.spyOn(Date, 'now').mockReturnValue(Date.now() + SESSION_TIMEOUT_MS + 1);
    tracker.track('after a break');
    tracker.flush();
    const [before, after] = await kit.waitForEvents(2);
    const session = (e: Record<string, unknown>) => (e.context as { sessionId: number }).sessionId;
    expect(session(after!)).toBeGreaterThan(session(before!));
  });

  it('numbers the events of a session from 1 across pages and tabs, and again from 1 in the next', async () => {
    const index = (e: Record<string, unknown>) => (e.context as { eventIndex: number }).eventIndex;
    const tab = kit.make();
    const other = kit.make(); // another tab of the site: the same stored visitor
    tab.track('a');
    other.track('b');
    tab.track('c');
    tab.reset(); // a new visitor, a new session
    tab.track('d');
    other.track('e'); // reads what the first tab stored
    vi.spyOn(Date, 'now').mockReturnValue(Date.now() + SESSION_TIMEOUT_MS + 1);
    other.track('f');
    tab.flush();
    other.flush();
    const events = await kit.waitForEvents(6);
    const byName = Object.fromEntries(events.map((e) => [e.event, index(e)]));
    expect(byName).toEqual({ a: 1, b: 2, c: 3, d: 1, e: 2, f: 1 });
  });

  it('gives consent no number: the events before and after it count on', async () => {
    const tracker = kit.make({ requireConsent: true });
    tracker.track('waited');
    tracker.consent(true);
    tracker.track('after');
    tracker.flush();
    const events = await kit.waitForEvents(2);
    expect(events.map((e) => (e.context as { eventIndex: number }).eventIndex)).toEqual([1, 2]);
  });

  it('is callable by method name, as the script tag global is', async () => {
    const tracker = kit.make();
    tracker('track', 'by name', { n: 1 });
    tracker('flush');
    const [event] = await kit.waitForEvents(1);
    expect(event).toMatchObject({ event: 'by name', properties: { n: 1 } });
  });
});

describe('createTracker: page view on load and batching', () => {
  it('records a page view on load, after the calls made right after creation', async () => {
    const tracker = kit.make({ autoPageview: true, flushInterval: 100 });
    tracker.identify('user-1');
    const [identify, page] = await kit.waitForEvents(2);
    expect(identify!.type).toBe('identify');
    expect(page).toMatchObject({ type: 'page', userId: 'user-1' });
  });

  it('sends flushAt events at once, and a lone event within flushInterval ms', async () => {
    const tracker = kit.make({ flushAt: 3, flushInterval: 1000 }); // far longer than a send
    await started();
    for (const name of ['one', 'two']) tracker.track(name);
    await sleep(50);
    expect(kit.collector.requests).toHaveLength(0);
    tracker.track('three');
    await kit.waitForEvents(3);
    // Until the tag read the answer (the events left its outbox): a later event then waits.
    await kit.collector.waitFor(() => !localStorage.getItem('sluice_q'));
    tracker.track('four');
    await sleep(50);
    expect(kit.accepted()).toHaveLength(3); // it waits for company
    const events = await kit.waitForEvents(4);
    expect(events.map((e) => e.event)).toEqual(['one', 'two', 'three', 'four']);
  });

  it('sends with sendBeacon when the page is hidden, and on pagehide', async () => {
    const beacons: string[] = [];
    vi.spyOn(navigator, 'sendBeacon').mockImplementation((_url, body) => {
      beacons.push(body as string);
      return true;
    });
    const tracker = kit.make();
    await started();
    tracker.track('before hiding');
    kit.setVisibility('hidden');
    tracker.track('leaving');
    window.dispatchEvent(new Event('pagehide'));
    expect(beacons.map((b) => JSON.parse(b).batch[0].event)).toEqual(['before hiding', 'leaving']);
    expect(localStorage.getItem('sluice_q')).toBeNull();
  });

  it('sends a batch over 64 KB as several bodies under 64 KB, each event once', async () => {
    const tracker = kit.make({ flushAt: 1000 });
    for (let i = 0; i < 60; i++) tracker.track(`big ${i}`, { text: 'é'.repeat(1500) });
    tracker.flush();
    const events = await kit.waitForEvents(60);
    const posts = kit.collector.requests.filter((r) => r.method === 'POST');
    expect(posts.length).toBeGreaterThanOrEqual(3);
    for (const post of posts)
      expect(Buffer.byteLength(post.body)).toBeLessThanOrEqual(MAX_BEACON_BYTES);
    expect(events.map((e) => e.event)).toEqual(Array.from({ length: 60 }, (_, i) => `big ${i}`));
  });

  it('drops an event over 32 KB, with a warning only in debug mode', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const quiet = kit.make();
    const tracker = kit.make({ debug: true });
    await started();
    quiet.track('huge', { text: 'x'.repeat(40_000) });
    expect(warn).not.toHaveBeenCalled();
    tracker.track('huge', { text: 'x'.repeat(40_000) });
    expect(warn).toHaveBeenCalledWith(
      'sluice: over 32 KB',
      expect.objectContaining({ event: 'huge' }),
    );
    tracker.track('fine');
    tracker.flush();
    await kit.waitForEvents(1);
    await sleep(50);
    expect(kit.accepted().map((e) => e.event)).toEqual(['fine']);
  });
});

describe('createTracker: beforeSend', () => {
  it('sends the event beforeSend returns, and drops the ones it refuses', async () => {
    const tracker = kit.make({
      beforeSend: (event) => {
        if (event.type === 'track' && event.event === 'Secret') return null;
        event.context.page.url = event.context.page.url.replace(/email=[^&]*/, 'email=');
        return event;
      },
    });
    history.replaceState(null, '', '/?email=a@example.com');
    tracker.track('Secret');
    tracker.track('Public');
    tracker.flush();
    const [event] = await kit.waitForEvents(1);
    await sleep(50);
    expect(kit.accepted()).toHaveLength(1);
    expect(event).toMatchObject({ event: 'Public' });
    expect((event!.context as { page: { url: string } }).page.url).toBe(
      `${location.origin}/?email=`,
    );
  });
});

describe('createTracker in a hostile page', () => {
  it('keeps working, ids in memory, when localStorage throws', async () => {
    // As in sandboxed iframes and with site data blocked: merely reading `localStorage` throws.
    const original = Object.getOwnPropertyDescriptor(globalThis, 'localStorage')!;
    Object.defineProperty(globalThis, 'localStorage', {
      configurable: true,
      get() {
        throw new DOMException('The operation is insecure.', 'SecurityError');
      },
    });
    try {
      const tracker = kit.make();
      tracker.track('a');
      tracker.track('b');
      tracker.flush();
      const [a, b] = await kit.waitForEvents(2);
      expect(b!.anonymousId).toBe(a!.anonymousId);
    } finally {
      Object.defineProperty(globalThis, 'localStorage', original);
    }
  });

  it('throws nothing into the page when the browser cannot send, or values cannot be encoded', async () => {
    vi.spyOn(navigator, 'sendBeacon').mockImplementation(() => {
      throw new TypeError('Illegal invocation');
    });
    vi.stubGlobal('fetch', undefined);
    const tracker = kit.make({ flushAt: 1 });
    await started();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => {
      tracker.track('x');
      tracker.page();
      tracker.identify('u');
      tracker.track('cyclic', cyclic);
      tracker.track('bigint', { n: 1n });
      tracker('nope' as 'track', 'x');
      tracker.flush();
      kit.setVisibility('hidden');
      window.dispatchEvent(new Event('pagehide'));
    }).not.toThrow();
  });

  it('throws nothing into the page when beforeSend throws', () => {
    const tracker = kit.make({
      beforeSend: () => {
        throw new Error('bug in the hook');
      },
    });
    expect(() => tracker.track('x')).not.toThrow();
  });

  it('creates and records outside a browser without throwing (server-side rendering)', () => {
    vi.stubGlobal('addEventListener', undefined);
    vi.stubGlobal('location', undefined);
    expect(() => {
      const tracker = kit.make({ autoPageview: true });
      tracker.track('on the server');
    }).not.toThrow();
  });
});
