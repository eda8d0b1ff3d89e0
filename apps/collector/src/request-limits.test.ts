import { createMemoryQueue, type Queue } from '@sluice/queue';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCollectorApp } from './app.js';
import type { CollectorConfigInput } from './config.js';
import {
  BACKEND_KEY,
  CLIENT_IP,
  expectError,
  readQueue,
  SHOP_KEY,
  testSources,
  trackEvent,
} from './test-support.js';

let queue: Queue;
let nowMs: number;
beforeEach(() => {
  queue = createMemoryQueue();
  nowMs = Date.parse('2026-03-01T12:00:00.000Z');
});
afterEach(() => queue.close());

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

const batch = () => ({ writeKey: SHOP_KEY, batch: [trackEvent()] });

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
    expect(await readQueue(queue)).toHaveLength(2);

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
    const backend = await post(collector, { writeKey: BACKEND_KEY, batch: [trackEvent()] });
    expect(backend.status).toBe(200);
    expect((await readQueue(queue)).map((e) => e.source)).toEqual(['shop', 'backend']);
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
      writeKey: SHOP_KEY,
      batch: [trackEvent({ properties: { x: 'y'.repeat(5_000) } })],
    };
    await expectError(await post(app(config), body), 413, 'payload_too_large');
    // The same body is fine for a source without that limit.
    const other = { ...body, writeKey: BACKEND_KEY };
    expect((await post(app(config), other)).status).toBe(200);
    expect((await readQueue(queue)).map((e) => e.source)).toEqual(['backend']);
  });

  it("quarantines an event over the source's own event limit", async () => {
    const big = trackEvent({ properties: { x: 'y'.repeat(1_500) } });
    const res = await post(app(config), { writeKey: SHOP_KEY, batch: [big, trackEvent()] });
    const answer = (await res.json()) as { accepted: number; rejected: { index: number }[] };
    expect(answer.accepted).toBe(1);
    expect(answer.rejected.map((r) => r.index)).toEqual([0]);
    expect((await readQueue(queue)).map((e) => e.kind)).toEqual(['quarantine', 'event']);
  });
});
