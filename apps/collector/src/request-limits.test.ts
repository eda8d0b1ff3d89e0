import { MAX_REJECTED_LISTED } from '@sluice/schema';
import { beforeEach, describe, expect, it } from 'vitest';
import { createCollectorApp } from './app.js';
import type { CollectorConfigInput } from './config.js';
import { memoryQueuePerTest, queue, queued } from './test-queue.js';
import { backend, CLIENT_IP, expectError, shop, testSources, trackEvent } from './test-support.js';

memoryQueuePerTest();
let nowMs: number;
beforeEach(() => {
  nowMs = Date.parse('2026-03-01T12:00:00.000Z');
});

/** An app whose clock the test moves, and whose clients come from `ipOf(request)`. */
function app(config: CollectorConfigInput) {
  return createCollectorApp({
    queue,
    config,
    now: () => nowMs,
    clientIp: (c) => c.req.header('x-test-client') ?? CLIENT_IP,
  });
}

function post(
  collector: ReturnType<typeof app>,
  body: unknown,
  headers: Record<string, string> = {},
) {
  return collector.request('/v1/batch', {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const batch = () => ({ writeKey: shop.key, batch: [trackEvent()] });

describe('the per-IP rate limit', () => {
  const config = { limits: { ipRate: { requestsPerSecond: 1, burst: 2 } }, sources: testSources };

  it('answers 429 with Retry-After past the burst, queues nothing, and lets the client back later', async () => {
    const collector = app(config);
    expect((await post(collector, batch())).status).toBe(200);
    expect((await post(collector, batch())).status).toBe(200);
    const refused = await post(collector, batch());
    const error = await expectError(refused, 429, 'rate_limited');
    expect(error.message).toMatch(/address/);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await queued()).toHaveLength(2);

    nowMs += 1_000;
    expect((await post(collector, batch())).status).toBe(200);
  });

  it('is checked before the body is read: a flood of garbage is refused as such', async () => {
    const collector = app(config);
    await post(collector, 'not json');
    await post(collector, 'not json');
    await expectError(await post(collector, 'not json'), 429, 'rate_limited');
  });

  it('counts each client on its own, and an IPv6 /64 as one client', async () => {
    const collector = app(config);
    const from = (ip: string) => ({ 'x-test-client': ip });
    for (let i = 0; i < 2; i++) await post(collector, batch(), from('2001:db8:1:2::10'));
    await expectError(
      await post(collector, batch(), from('2001:db8:1:2::99')),
      429,
      'rate_limited',
    );
    expect((await post(collector, batch(), from('2001:db8:1:3::10'))).status).toBe(200);
    expect((await post(collector, batch(), from('198.51.100.1'))).status).toBe(200);
  });
});

describe('the per-source rate limit', () => {
  const config = {
    limits: { ipRate: null },
    sources: testSources.map((source) =>
      source.id === 'shop'
        ? { ...source, limits: { rate: { requestsPerSecond: 0.5, burst: 1 } } }
        : source,
    ),
  };

  it('refuses the source past its rate with 429 and Retry-After, not other sources', async () => {
    const collector = app(config);
    expect((await post(collector, batch())).status).toBe(200);
    const refused = await post(collector, batch(), { 'x-test-client': '198.51.100.1' });
    const error = await expectError(refused, 429, 'rate_limited');
    expect(error.message).toMatch(/source shop/);
    expect(refused.headers.get('retry-after')).toBe('2');
    const other = await post(collector, { writeKey: backend.key, batch: [trackEvent()] });
    expect(other.status).toBe(200);
    expect((await queued()).map((e) => e.source)).toEqual(['shop', 'backend']);
  });
});

describe('per-source size limits', () => {
  const config = {
    limits: { ipRate: null },
    sources: testSources.map((source) =>
      source.id === 'shop'
        ? { ...source, limits: { maxRequestBytes: 4_096, maxEventBytes: 1_024 } }
        : source,
    ),
  };

  it("refuses a body over the source's own request limit with 413, and queues nothing", async () => {
    const body = {
      writeKey: shop.key,
      batch: [trackEvent({ properties: { x: 'y'.repeat(5_000) } })],
    };
    await expectError(await post(app(config), body), 413, 'payload_too_large');
    // The same body is fine for a source without that limit.
    const other = { ...body, writeKey: backend.key };
    expect((await post(app(config), other)).status).toBe(200);
    expect((await queued()).map((e) => e.source)).toEqual(['backend']);
  });

  it("quarantines an event over the source's own event limit", async () => {
    const big = trackEvent({ properties: { x: 'y'.repeat(1_500) } });
    const res = await post(app(config), { writeKey: shop.key, batch: [big, trackEvent()] });
    const answer = (await res.json()) as { accepted: number; rejected: { index: number }[] };
    expect(answer.accepted).toBe(1);
    expect(answer.rejected.map((r) => r.index)).toEqual([0]);
    expect((await queued()).map((e) => e.kind)).toEqual(['quarantine', 'event']);
  });
});

/** A batch of `n` valid events (about 200 bytes each). */
const fullBatch = (n: number) => ({
  writeKey: shop.key,
  batch: Array.from({ length: n }, () => trackEvent()),
});

describe('the per-IP event and byte limits', () => {
  // Only the limit under test: the per-request limit would let 100 requests/s through.
  const only = (limits: Record<string, unknown>) => ({
    limits: { ipRate: null, ipEventRate: null, ipByteRate: null, ...limits },
    sources: testSources,
  });

  it('refuses a client sending full batches past its events per second, not another client', async () => {
    const collector = app(only({ ipEventRate: { eventsPerSecond: 2_000, burst: 5_000 } }));
    for (let i = 0; i < 2; i++) expect((await post(collector, fullBatch(2_500))).status).toBe(200);
    const refused = await post(collector, fullBatch(2_500));
    const error = await expectError(refused, 429, 'rate_limited');
    expect(error.message).toMatch(/events from this address/);
    // 2,500 events at 2,000/s: two seconds until the bucket holds a full batch again.
    expect(refused.headers.get('retry-after')).toBe('2');
    const other = await post(collector, fullBatch(2_500), { 'x-test-client': '198.51.100.1' });
    expect(other.status).toBe(200);
    expect(await queued()).toHaveLength(3 * 2_500);

    nowMs += 2_000;
    expect((await post(collector, fullBatch(2_500))).status).toBe(200);
  });

  it('refuses a client past its bytes per second, counting the body as read, not another client', async () => {
    const body = JSON.stringify(fullBatch(2_500));
    const collector = app(
      only({ ipByteRate: { bytesPerSecond: 1_000_000, burst: 2 * body.length } }),
    );
    expect((await post(collector, body)).status).toBe(200);
    expect((await post(collector, body)).status).toBe(200);
    const refused = await post(collector, body);
    const error = await expectError(refused, 429, 'rate_limited');
    expect(error.message).toMatch(/bytes from this address/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await post(collector, body, { 'x-test-client': '198.51.100.1' })).status).toBe(200);
    expect(await queued()).toHaveLength(3 * 2_500);
  });

  it('holds by default: one address cannot queue more than the default burst at once', async () => {
    const collector = app({ limits: { ipRate: null }, sources: testSources });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await post(collector, fullBatch(2_500))).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
  });
});

describe('the per-source event and byte limits', () => {
  const limited = (limits: Record<string, unknown>) => ({
    limits: { ipRate: null, ipEventRate: null, ipByteRate: null },
    sources: testSources.map((source) => (source.id === 'shop' ? { ...source, limits } : source)),
  });

  it('refuses the source past its events per second from any address, not other sources', async () => {
    const collector = app(limited({ eventRate: { eventsPerSecond: 1_000 } }));
    expect((await post(collector, fullBatch(2_500))).status).toBe(200);
    const refused = await post(collector, fullBatch(2_500), { 'x-test-client': '198.51.100.1' });
    const error = await expectError(refused, 429, 'rate_limited');
    expect(error.message).toMatch(/events for source shop/);
    // The default burst holds four seconds (4,000): 1,500 are left, a full batch needs 1 s more.
    expect(refused.headers.get('retry-after')).toBe('1');
    const other = await post(collector, { ...fullBatch(2_500), writeKey: backend.key });
    expect(other.status).toBe(200);
  });

  it('refuses the source past its bytes per second', async () => {
    const collector = app(limited({ byteRate: { bytesPerSecond: 100_000, burst: 512_000 } }));
    const body = JSON.stringify(fullBatch(2_500));
    expect(body.length).toBeGreaterThan(256_000);
    expect((await post(collector, body)).status).toBe(200);
    const refused = await post(collector, body, { 'x-test-client': '198.51.100.1' });
    expect((await expectError(refused, 429, 'rate_limited')).message).toMatch(
      /bytes for source shop/,
    );
  });
});

describe('the answer to a batch of invalid events', () => {
  it('counts every rejected event but lists only the first few, so its size stays bounded', async () => {
    const collector = app({ limits: { ipRate: null }, sources: testSources });
    // No event name: each of the 2,500 is refused, and each refusal names its messageId.
    const batch = Array.from({ length: 2_500 }, (_, i) => ({
      type: 'track',
      messageId: `bad-${i}`,
      timestamp: 1,
      context: 1,
    }));
    const res = await post(collector, { writeKey: shop.key, batch });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(new TextEncoder().encode(text).length).toBeLessThan(8_000);
    const answer = JSON.parse(text) as { rejectedCount: number; rejected: { index: number }[] };
    expect(answer.rejectedCount).toBe(2_500);
    expect(answer.rejected.map((r) => r.index)).toEqual([...Array(MAX_REJECTED_LISTED).keys()]);
    // Nothing is dropped: every one of them is in quarantine.
    const entries = await queued();
    expect(entries.filter((e) => e.kind === 'quarantine')).toHaveLength(2_500);
  });
});
