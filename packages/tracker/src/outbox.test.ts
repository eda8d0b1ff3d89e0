import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_QUEUED_EVENTS } from './limits.js';
import { createOutbox } from './outbox.js';
import { startTestCollector, type TestCollector } from './test-collector.js';

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const stored = () => localStorage.getItem('sluice_q')?.split('\n') ?? [];
let test = 0;
// Unique per test: an outbox of an earlier test, still finishing a request, cannot touch these.
const event = (i: number) =>
  JSON.stringify({ type: 'track', event: `e${i}`, messageId: `t${test}m${i}` });
const names = (events: Record<string, unknown>[]) => events.map((e) => e.event);
let collector: TestCollector;
let allowed: boolean;
let device: boolean;
// Outboxes made in the current test, to quiet them after it.
const made: { clear: () => void; state: { live: boolean } }[] = [];

/** An outbox as the tracker makes one; quiet (no timer) unless told otherwise. */
const outbox = (options: { flushAt?: number; flushInterval?: number; endpoint?: string } = {}) => {
  const state = { live: true };
  const created = createOutbox(
    { writeKey: 'wk', endpoint: collector.endpoint, flushInterval: 60_000, ...options },
    () => state.live && allowed,
    () => state.live && device,
  );
  made.push({ clear: created[3], state });
  return created;
};

beforeEach(async () => {
  test++;
  collector = await startTestCollector();
  localStorage.clear();
  allowed = device = true;
  // Retries at once: the backoff is retryDelay's business, tested on its own.
  vi.spyOn(Math, 'random').mockReturnValue(0);
});
afterEach(async () => {
  vi.restoreAllMocks();
  Reflect.deleteProperty(navigator, 'onLine');
  Reflect.deleteProperty(navigator, 'sendBeacon');
  // Outboxes of this test go quiet: emptied, then sending nothing and keeping their hands off
  // localStorage, should a request or timer of theirs end during a later test.
  for (const { clear, state } of made.splice(0)) {
    clear();
    state.live = false;
  }
  await collector.close();
});

describe('the outbox while the page lives', () => {
  it('sends as soon as flushAt events wait, in order, to /v1/batch as text/plain', async () => {
    const [add] = outbox({ flushAt: 3 });
    add(event(1));
    add(event(2));
    await sleep(50);
    expect(collector.requests).toHaveLength(0);
    add(event(3));
    await collector.waitFor(() => collector.accepted().length === 3);
    expect(names(collector.accepted())).toEqual(['e1', 'e2', 'e3']);
    const post = collector.requests.find((r) => r.method === 'POST')!;
    expect(post.path).toBe('/v1/batch');
    expect(post.contentType).toMatch(/^text\/plain/);
  });

  it('sends flushInterval ms after the first waiting event', async () => {
    const [add] = outbox({ flushInterval: 150 });
    const start = Date.now();
    add(event(1));
    await sleep(20);
    add(event(2));
    await collector.waitForPosts(1);
    expect(Date.now() - start).toBeGreaterThanOrEqual(140);
    expect(names(collector.accepted())).toEqual(['e1', 'e2']);
  });

  it('keeps every event in localStorage until the collector confirmed it', async () => {
    collector.answers.push({ status: 200, delay: 300 });
    const [add, flush] = outbox();
    add(event(1));
    flush();
    await collector.waitForPosts(1);
    expect(stored()).toEqual([event(1)]); // sent, not yet confirmed
    await collector.waitFor(() => collector.accepted().length === 1);
    await collector.waitFor(() => stored().length === 0);
  });

  it('retries after a 503, a 429 and a network error with the same events, until one is taken', async () => {
    collector.answers.push({ status: 503 }, { status: 429 });
    const [add, flush] = outbox();
    add(event(1));
    add(event(2));
    flush();
    await collector.waitFor(() => collector.accepted().length === 2);
    expect(collector.bodies().map((b) => names(b.batch))).toEqual([
      ['e1', 'e2'],
      ['e1', 'e2'],
      ['e1', 'e2'],
    ]);
    // The retries are marked: the collector stores their events as `transport: 'resend'`.
    expect(collector.requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual([
      '/v1/batch',
      '/v1/batch?r',
      '/v1/batch?r',
    ]);
    // The outbox forgets the events once it has read the answer, a moment after the collector
    // counted them.
    await collector.waitFor(() => stored().length === 0);
  });

  it('keeps the events while the collector cannot be reached', async () => {
    const down = await startTestCollector();
    await down.close();
    vi.spyOn(Math, 'random').mockReturnValue(0.5); // 1 s, then 2 s: not a busy loop
    const [add, flush] = outbox({ endpoint: down.endpoint });
    add(event(1));
    flush();
    await collector.waitFor(() => stored().length === 1);
    await sleep(100); // it keeps failing, and keeps the event
    expect(stored()).toEqual([event(1)]);
  });

  it("waits at least the collector's Retry-After before retrying", async () => {
    collector.answers.push({ status: 503, headers: { 'retry-after': '1' } });
    const [add, flush] = outbox();
    add(event(1));
    flush();
    await collector.waitForPosts(1);
    const failedAt = Date.now();
    await collector.waitFor(() => collector.accepted().length === 1);
    expect(Date.now() - failedAt).toBeGreaterThanOrEqual(950);
  });

  it('drops a batch the collector refuses for good (400), and goes on with the next', async () => {
    collector.answers.push({ status: 400 });
    const [add, flush] = outbox();
    add(event(1));
    flush();
    await collector.waitForPosts(1);
    await collector.waitFor(() => stored().length === 0);
    add(event(2));
    flush();
    await collector.waitFor(() => collector.accepted().length === 1);
    expect(names(collector.bodies().flatMap((b) => b.batch))).toEqual(['e1', 'e2']);
  });

  it('sends one request at a time, each under 64 KB, every event once', async () => {
    collector.answers.push({ status: 200, delay: 100 }, { status: 200, delay: 100 });
    const [add, flush] = outbox({ flushAt: 1000 });
    const big = (i: number) =>
      JSON.stringify({ type: 'track', event: `e${i}`, text: 'x'.repeat(20_000) });
    for (let i = 0; i < 8; i++) add(big(i));
    flush();
    await collector.waitFor(() => collector.accepted().length === 8);
    expect(collector.maxInFlight()).toBe(1);
    expect(collector.requests.length).toBeGreaterThanOrEqual(3);
    for (const r of collector.requests)
      expect(Buffer.byteLength(r.body)).toBeLessThanOrEqual(65_536);
    expect(names(collector.accepted())).toEqual(['e0', 'e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7']);
  });
});

describe('the outbox across pages and tabs', () => {
  it('sends what an earlier page of the site left, with the same events, on retry', async () => {
    collector.answers.push({ status: 503, headers: { 'retry-after': '60' } });
    const [add, flush] = outbox();
    add(event(1));
    add(event(2));
    flush();
    await collector.waitForPosts(1);
    await collector.waitFor(() => stored().length === 2);
    // The next page: a new outbox, the same localStorage.
    const [, , retry] = outbox();
    retry();
    await collector.waitFor(() => collector.accepted().length === 2);
    expect(collector.accepted().map((e) => JSON.stringify(e))).toEqual([event(1), event(2)]);
  });

  it('marks as a resend (?r) what an earlier page left, until the collector answered', async () => {
    localStorage.setItem('sluice_q', event(1)); // a closed tab's
    const [add, flush, retry] = outbox();
    retry();
    await collector.waitFor(() => collector.accepted().length === 1);
    add(event(2)); // this page's own, after the answer: not a resend
    flush();
    await collector.waitFor(() => collector.accepted().length === 2);
    expect(collector.requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual([
      '/v1/batch?r',
      '/v1/batch',
    ]);
  });

  it('keeps the events another tab stored (merges, never overwrites)', async () => {
    collector.answers.push({ status: 503, headers: { 'retry-after': '60' } });
    const [add, flush] = outbox();
    add(event(1));
    flush();
    await collector.waitFor(() => stored().length === 1);
    localStorage.setItem('sluice_q', [event(1), event(9)].join('\n')); // the other tab wrote
    add(event(2));
    flush();
    expect(stored().sort()).toEqual([event(1), event(2), event(9)]);
  });

  it("never sends another open tab's waiting events: each tab sends its own", async () => {
    collector.answers.push({ status: 503, headers: { 'retry-after': '60' } });
    const [add, flush] = outbox(); // two tabs open
    const [add2, flush2] = outbox();
    add(event(1));
    flush(); // refused: event 1 waits, in the shared outbox, for its tab's retry
    await collector.waitForPosts(1);
    await collector.waitFor(() => stored().length === 1);
    add2(event(2));
    flush2();
    await collector.waitFor(() => collector.accepted().length === 1);
    await sleep(50);
    expect(names(collector.accepted())).toEqual(['e2']);
    expect(stored()).toEqual([event(1)]); // still there, for the first tab
  });

  it('never brings back, nor sends, what another tab had confirmed', async () => {
    collector.answers.push({ status: 200, delay: 200 });
    const [add, flush] = outbox();
    const [, flush2] = outbox();
    add(event(1));
    flush();
    await collector.waitForPosts(1);
    flush2(); // the other tab writes the outbox while event 1 is in flight
    await collector.waitFor(() => collector.accepted().length === 1 && stored().length === 0);
    flush2(); // and again once it was confirmed: without event 1
    await sleep(50);
    expect(stored()).toEqual([]);
    expect(collector.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('keeps at most MAX_QUEUED_EVENTS, dropping the oldest', async () => {
    allowed = false; // nothing goes out
    const [add, flush] = outbox({ flushAt: 1e9 });
    for (let i = 0; i < MAX_QUEUED_EVENTS + 5; i++) add(event(i));
    allowed = true;
    collector.answers.push({ status: 503, headers: { 'retry-after': '60' } });
    flush();
    expect(stored()).toHaveLength(MAX_QUEUED_EVENTS);
    expect(stored()[0]).toBe(event(5));
  });

  it('keeps its hands off localStorage when device() says no, yet clear() empties it', async () => {
    collector.answers.push({ status: 503, headers: { 'retry-after': '60' } });
    localStorage.setItem('sluice_q', event(5));
    device = false;
    const [add, flush, , clear] = outbox();
    add(event(1));
    flush();
    await collector.waitForPosts(1);
    expect(collector.bodies()[0]!.batch).toEqual([JSON.parse(event(1))]); // not event 5
    expect(stored()).toEqual([event(5)]);
    clear();
    expect(localStorage.getItem('sluice_q')).toBeNull();
  });
});

describe('the outbox when the page is hidden or left', () => {
  const beacons: string[] = [];
  const beaconUrls: string[] = [];
  beforeEach(() => {
    beacons.length = beaconUrls.length = 0;
  });
  const beacon = (answer: boolean) =>
    Object.defineProperty(navigator, 'sendBeacon', {
      configurable: true,
      value: (url: string, body: string) => {
        beaconUrls.push(url);
        beacons.push(body);
        return answer;
      },
    });

  it('hands the waiting events to sendBeacon and, trusting it, keeps none', async () => {
    beacon(true);
    const [add, flush] = outbox();
    add(event(1));
    add(event(2));
    flush(true);
    expect(beacons.map((b) => names(JSON.parse(b).batch))).toEqual([['e1', 'e2']]);
    expect(beaconUrls).toEqual([`${collector.endpoint}/v1/batch`]);
    expect(stored()).toEqual([]);
    await sleep(50);
    expect(collector.requests).toHaveLength(0); // no fetch as well
  });

  it('falls back to fetch keepalive when sendBeacon refuses, keeping the events until confirmed', async () => {
    beacon(false);
    const fetches: RequestInit[] = [];
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, 'fetch').mockImplementation((url, init) => {
      fetches.push(init!);
      return realFetch(url, init);
    });
    const [add, flush] = outbox();
    add(event(1));
    flush(true);
    expect(stored()).toEqual([event(1)]);
    await collector.waitFor(() => collector.accepted().length === 1);
    expect(fetches[0]).toMatchObject({ method: 'POST', keepalive: true });
  });

  it('falls back to fetch where sendBeacon is missing (or removed by a blocker)', async () => {
    Object.defineProperty(navigator, 'sendBeacon', { configurable: true, value: undefined });
    const [add, flush] = outbox();
    add(event(1));
    flush(true);
    await collector.waitFor(() => collector.accepted().length === 1);
  });

  it('sends no beacon offline, where it would be lost, and keeps the events', async () => {
    beacon(true);
    Object.defineProperty(navigator, 'onLine', { configurable: true, value: false });
    collector.answers.push({ status: 503, headers: { 'retry-after': '60' } }); // as offline
    const [add, flush] = outbox();
    add(event(1));
    flush(true);
    expect(beacons).toEqual([]);
    expect(stored()).toEqual([event(1)]);
  });

  it('keeps beaconed events while the collector is failing: a resend is safe, a loss is not', async () => {
    beacon(true);
    collector.answers.push({ status: 503, headers: { 'retry-after': '60' } });
    const [add, flush] = outbox();
    add(event(1));
    flush();
    await collector.waitForPosts(1);
    await sleep(50);
    add(event(2));
    flush(true);
    expect(beacons.map((b) => names(JSON.parse(b).batch))).toEqual([['e1', 'e2']]);
    expect(beaconUrls).toEqual([`${collector.endpoint}/v1/batch?r`]); // e1 was sent before
    expect(stored()).toEqual([event(1), event(2)]);
  });

  it('does not beacon what a fetch is already carrying', async () => {
    beacon(true);
    collector.answers.push({ status: 200, delay: 200 });
    const [add, flush] = outbox();
    add(event(1));
    flush();
    await collector.waitForPosts(1);
    add(event(2));
    flush(true);
    expect(beacons.map((b) => names(JSON.parse(b).batch))).toEqual([['e2']]);
    await collector.waitFor(() => collector.accepted().length === 1);
    await collector.waitFor(() => stored().length === 0);
  });

  it('retries at once when the browser is back online, backoff or not', async () => {
    collector.answers.push({ status: 503, headers: { 'retry-after': '60' } });
    const [add, flush, retry] = outbox();
    add(event(1));
    flush();
    await collector.waitForPosts(1);
    await sleep(50);
    retry();
    await collector.waitFor(() => collector.accepted().length === 1);
    // The retry carries events sent before: a resend. After the answer, new events are not.
    add(event(2));
    flush();
    await collector.waitFor(() => collector.accepted().length === 2);
    expect(collector.requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual([
      '/v1/batch',
      '/v1/batch?r',
      '/v1/batch',
    ]);
  });

  it('sends nothing, not even a beacon, while not allowed', async () => {
    beacon(true);
    allowed = false;
    const [add, flush] = outbox({ flushAt: 1 });
    add(event(1));
    flush(true);
    await sleep(50);
    expect(beacons).toEqual([]);
    expect(collector.requests).toHaveLength(0);
    allowed = true;
    flush();
    await collector.waitFor(() => collector.accepted().length === 1);
  });
});
