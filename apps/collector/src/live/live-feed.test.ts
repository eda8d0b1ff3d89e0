import { createMemoryQueue, type QueueMessage } from '@sluice/queue';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLiveFeed, type LiveUpdate } from './live-feed.js';

const encoder = new TextEncoder();

function message(kind: 'event' | 'quarantine', body: unknown, id = 'm-1'): QueueMessage {
  return { id, source: 'shop', time: 0, kind, body: encoder.encode(JSON.stringify(body)) };
}

const signedUp = message('event', {
  type: 'track',
  event: 'Signed Up',
  messageId: 'm-1',
  context: { page: { url: 'https://shop.example/pricing' } },
});
const invalid = message(
  'quarantine',
  {
    reason: [{ path: 'event', message: 'a track needs an event name' }],
    event: { type: 'track', messageId: 'm-2' },
    receivedAt: '2026-11-24T10:00:00.000Z',
  },
  'm-2',
);

afterEach(() => {
  vi.useRealTimers();
});

describe('createLiveFeed', () => {
  it('holds nothing while no one watches, and describes what arrives while someone does', async () => {
    vi.useFakeTimers();
    const feed = createLiveFeed({ flushEveryMs: 100 });
    const queue = feed.tapQueue(createMemoryQueue());
    await queue.append([signedUp]);
    const updates: LiveUpdate[] = [];
    const unsubscribe = feed.subscribe({ send: (u) => updates.push(u), end: () => {} });
    await queue.append([signedUp, invalid]);
    await vi.advanceTimersByTimeAsync(150);
    expect(updates).toHaveLength(1);
    expect(updates[0]?.events).toEqual([
      {
        at: expect.any(Number),
        result: 'accepted',
        source: 'shop',
        type: 'track',
        name: 'Signed Up',
        page: 'https://shop.example/pricing',
        messageId: 'm-1',
      },
      {
        at: expect.any(Number),
        result: 'quarantined',
        source: 'shop',
        type: 'track',
        messageId: 'm-2',
        detail: 'event: a track needs an event name',
      },
    ]);
    unsubscribe?.();
    await queue.append([signedUp]);
    await vi.advanceTimersByTimeAsync(500);
    expect(updates).toHaveLength(1);
  });

  it('counts accepted, quarantined and refused tracking requests per minute', () => {
    const feed = createLiveFeed();
    const inner = { requestFinished: vi.fn(), eventsIngested: vi.fn() };
    const observer = feed.observe(inner);
    observer.eventsIngested({ source: 'shop', accepted: 3, quarantined: ['invalid_event'] });
    const refused = {
      route: '/v1/batch',
      method: 'POST',
      status: 401,
      seconds: 0,
      code: 'unauthorized',
    } as const;
    observer.requestFinished(refused);
    observer.requestFinished({ route: '/healthz', method: 'GET', status: 200, seconds: 0 });
    expect(inner.requestFinished).toHaveBeenCalledTimes(2);
    expect(inner.eventsIngested).toHaveBeenCalledTimes(1);
    const [minute] = feed.snapshot().counts;
    expect(minute).toMatchObject({ accepted: 3, quarantined: 1, rejected: 1 });
  });

  it('sends the newest rows when too many arrive, and counts the rest as skipped', async () => {
    vi.useFakeTimers();
    const feed = createLiveFeed({ flushEveryMs: 100, maxEventsPerUpdate: 2, maxPending: 3 });
    const queue = feed.tapQueue(createMemoryQueue());
    const updates: LiveUpdate[] = [];
    feed.subscribe({ send: (u) => updates.push(u), end: () => {} });
    for (let i = 0; i < 5; i++) {
      await queue.append([message('event', { type: 'track', event: `E${i}` }, `m-${i}`)]);
    }
    await vi.advanceTimersByTimeAsync(150);
    expect(updates[0]?.events.map((e) => e.name)).toEqual(['E3', 'E4']);
    expect(updates[0]?.skipped).toBe(3);
  });

  it('shows an event its plan flagged as flagged, with the first issue', async () => {
    vi.useFakeTimers();
    const feed = createLiveFeed({ flushEveryMs: 100 });
    const queue = feed.tapQueue(createMemoryQueue());
    const updates: LiveUpdate[] = [];
    feed.subscribe({ send: (u) => updates.push(u), end: () => {} });
    const issue = { path: 'properties/price', message: 'must be number (plan of track "Buy")' };
    const flagged = message('event', {
      type: 'track',
      event: 'Buy',
      messageId: 'm-3',
      context: { planViolations: [issue] },
    });
    await queue.append([flagged]);
    await vi.advanceTimersByTimeAsync(150);
    expect(updates[0]?.events).toMatchObject([
      { result: 'flagged', name: 'Buy', detail: `properties/price: ${issue.message}` },
    ]);
  });

  it('counts plan violations by source and event, most first, and sends them to viewers', async () => {
    vi.useFakeTimers();
    const feed = createLiveFeed({ flushEveryMs: 100, maxViolationRows: 2 });
    const observer = feed.observe();
    const updates: LiveUpdate[] = [];
    feed.subscribe({ send: (u) => updates.push(u), end: () => {} });
    const ingested = (source: string, planViolations: string[]) =>
      observer.eventsIngested({ source, accepted: 1, quarantined: [], planViolations });
    ingested('shop', ['Buy', 'Buy', '_unplanned']);
    ingested('blog', ['page:*']);
    ingested('shop', ['Buy']);
    ingested('blog', ['page:*', 'page:*', 'page:*']);
    observer.eventsIngested({ source: 'shop', accepted: 2, quarantined: [] });
    await vi.advanceTimersByTimeAsync(150);
    const rows = updates
      .at(-1)
      ?.violations.map(({ source, event, count }) => [source, event, count]);
    expect(rows).toEqual([
      ['blog', 'page:*', 4],
      ['shop', 'Buy', 3],
    ]);
    expect(feed.snapshot().violations).toHaveLength(2);
  });

  it('sends the delivery ledger per source and transport: events, delay p50/p99', async () => {
    vi.useFakeTimers();
    const feed = createLiveFeed({ flushEveryMs: 100 });
    const observer = feed.observe();
    const updates: LiveUpdate[] = [];
    feed.subscribe({ send: (u) => updates.push(u), end: () => {} });
    observer.eventsIngested({
      source: 'shop',
      accepted: 2,
      quarantined: [],
      transport: 'fetch',
      delaysMs: [20, 30],
    });
    observer.eventsIngested({
      source: 'shop',
      accepted: 1,
      quarantined: [],
      transport: 'resend',
      delaysMs: [45_000],
    });
    await vi.advanceTimersByTimeAsync(150);
    expect(updates.at(-1)?.delivery).toEqual([
      { source: 'shop', transport: 'fetch', events: 2, gaps: 0, delayP50Ms: 25, delayP99Ms: 50 },
      {
        source: 'shop',
        transport: 'resend',
        events: 1,
        gaps: 0,
        delayP50Ms: 60_000,
        delayP99Ms: 60_000,
      },
    ]);
    // A viewer who connects later starts from the same table.
    expect(feed.snapshot().delivery).toHaveLength(2);
  });

  it('refuses viewers above the limit and ends every stream on close', () => {
    const feed = createLiveFeed({ maxViewers: 1 });
    const end = vi.fn();
    expect(feed.subscribe({ send: () => {}, end })).toBeTypeOf('function');
    expect(feed.subscribe({ send: () => {}, end: () => {} })).toBeUndefined();
    feed.close();
    expect(end).toHaveBeenCalledOnce();
    expect(feed.viewers()).toBe(0);
  });
});
