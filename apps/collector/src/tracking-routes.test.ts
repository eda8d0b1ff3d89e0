import { createMemoryQueue, type Queue, QueueFullError } from '@sluice/queue';
import { MAX_EVENT_BYTES, MAX_REQUEST_BYTES } from '@sluice/schema';
import { beforeEach, describe, expect, it } from 'vitest';
import { createCollectorApp } from './app.js';
import { memoryQueuePerTest, queue, queued } from './test-queue.js';
import {
  backend,
  blog,
  bodyOf,
  expectAccepted,
  expectError,
  shop,
  testConfig,
  trackEvent,
} from './test-support.js';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');

memoryQueuePerTest();
let logged: unknown[];
beforeEach(() => {
  logged = [];
});

function app(q: Queue = queue) {
  return createCollectorApp({
    queue: q,
    config: testConfig,
    now: () => NOW,
    logError: (error) => logged.push(error),
  });
}

function post(body: unknown, headers: Record<string, string> = {}, q?: Queue) {
  return app(q).request('/v1/batch', {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain;charset=UTF-8', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('POST /v1/batch', () => {
  it('accepts a text/plain beacon body and queues the event for its source', async () => {
    const event = trackEvent();
    const res = await post({ writeKey: shop.key, batch: [event] }, { Origin: shop.origin });
    await expectAccepted(res, 1);
    const [entry, ...rest] = await queued();
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({ id: event.messageId, source: 'shop', kind: 'event' });
    expect(bodyOf(entry!)).toMatchObject({
      event: 'Signed Up',
      properties: { plan: 'pro' },
      receivedAt: '2026-03-01T12:00:00.000Z',
    });
  });

  it('accepts application/json with a charset parameter', async () => {
    const res = await post(
      { writeKey: shop.key, batch: [trackEvent()] },
      { 'Content-Type': 'application/json; charset=utf-8' },
    );
    expect(res.status).toBe(200);
    expect(await queued()).toHaveLength(1);
  });

  it('authenticates server SDKs by Basic auth with the write key as user name', async () => {
    const res = await post(
      { batch: [trackEvent()] },
      { Authorization: `Basic ${btoa(`${backend.key}:`)}`, 'Content-Type': 'application/json' },
    );
    expect(res.status).toBe(200);
    expect((await queued())[0]?.source).toBe('backend');
  });

  it('refuses other content types with 415 and queues nothing', async () => {
    const body = JSON.stringify({ writeKey: shop.key, batch: [trackEvent()] });
    await expectError(
      await post(body, { 'Content-Type': 'multipart/form-data; boundary=x' }),
      415,
      'unsupported_media_type',
    );
    await expectError(
      await post(body, { 'Content-Type': 'text/plain; charset=latin1' }),
      415,
      'unsupported_media_type',
    );
    expect(await queued()).toEqual([]);
  });

  it('refuses a body over 500 KB with 413 before parsing it, and queues nothing', async () => {
    const padding = 'x'.repeat(MAX_REQUEST_BYTES);
    const body = JSON.stringify({ writeKey: shop.key, batch: [trackEvent({ padding })] });
    await expectError(await post(body), 413, 'payload_too_large');
    // Also when Content-Length announces it; and malformed bytes never reach the parser.
    await expectError(
      await post(`{${padding}`, { 'Content-Length': String(padding.length + 1) }),
      413,
      'payload_too_large',
    );
    expect(await queued()).toEqual([]);
  });

  it('answers malformed JSON with 400 and queues nothing', async () => {
    await expectError(await post('{"writeKey": "wk_shop", "batch": ['), 400, 'invalid_json');
    await expectError(await post('[1, 2]'), 400, 'invalid_batch');
    expect(await queued()).toEqual([]);
  });

  it('answers an invalid batch with 400 naming the path, and queues nothing', async () => {
    const error = await expectError(
      await post({ writeKey: shop.key, batch: 'not a list' }),
      400,
      'invalid_batch',
    );
    expect(error.path).toBe('batch');
    const late = await expectError(
      await post({ writeKey: shop.key, sentAt: 'yesterday', batch: [trackEvent()] }),
      400,
      'invalid_batch',
    );
    expect(late.path).toBe('sentAt');
    expect(await queued()).toEqual([]);
  });

  it('answers an unknown or missing write key with 401 and queues nothing', async () => {
    await expectError(await post({ writeKey: 'nope', batch: [trackEvent()] }), 401, 'unauthorized');
    await expectError(await post({ batch: [trackEvent()] }), 401, 'unauthorized');
    await expectError(
      await post({ writeKey: shop.key, batch: [trackEvent()] }, { Authorization: 'Bearer x' }),
      401,
      'unauthorized',
    );
    await expectError(
      await post(
        { writeKey: shop.key, batch: [trackEvent()] },
        { Authorization: `Basic ${btoa(`${backend.key}:`)}` },
      ),
      401,
      'unauthorized',
    );
    expect(await queued()).toEqual([]);
  });

  it("answers an Origin the key's source does not allow with 403 and queues nothing", async () => {
    // The blog's origin is allowed for the blog, not for the shop's key.
    await expectError(
      await post({ writeKey: shop.key, batch: [trackEvent()] }, { Origin: blog.origin }),
      403,
      'origin_not_allowed',
    );
    await expectError(
      await post({ writeKey: backend.key, batch: [trackEvent()] }, { Origin: shop.origin }),
      403,
      'origin_not_allowed',
    );
    expect(await queued()).toEqual([]);
  });

  it('accepts the good events of a mixed batch and quarantines the bad ones with reasons', async () => {
    const good = trackEvent();
    const noType = { messageId: 'bad-1', anonymousId: 'a', event: 'X' };
    const noId = { type: 'track', event: 'Y', anonymousId: 'a', messageId: '' };
    const res = await post({ writeKey: shop.key, batch: [good, noType, noId] });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { accepted: number; rejected: unknown[] };
    expect(answer.accepted).toBe(1);
    expect(answer.rejected).toEqual([
      { index: 1, messageId: 'bad-1', errors: [{ path: 'type', message: expect.any(String) }] },
      { index: 2, errors: [{ path: 'messageId', message: expect.any(String) }] },
    ]);

    const entries = await queued();
    expect(entries.map((e) => [e.kind, e.source])).toEqual([
      ['event', 'shop'],
      ['quarantine', 'shop'],
      ['quarantine', 'shop'],
    ]);
    expect(entries[1]?.id).toBe('bad-1');
    expect(bodyOf(entries[1]!)).toEqual({
      reason: [{ path: 'type', message: expect.any(String) }],
      event: noType,
      receivedAt: '2026-03-01T12:00:00.000Z',
    });
    // Without a usable messageId the quarantined event still gets a unique id.
    expect(entries[2]?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(entries[2]?.time).toBe(NOW);
  });

  it('quarantines an event larger than MAX_EVENT_BYTES', async () => {
    const big = trackEvent({ properties: { text: 'x'.repeat(MAX_EVENT_BYTES) } });
    const res = await post({ writeKey: shop.key, batch: [big] });
    const answer = (await res.json()) as { accepted: number; rejected: { errors: unknown[] }[] };
    expect(answer.accepted).toBe(0);
    expect(answer.rejected[0]?.errors).toEqual([
      { path: '', message: expect.stringContaining(`at most ${MAX_EVENT_BYTES}`) },
    ]);
    expect((await queued()).map((e) => e.kind)).toEqual(['quarantine']);
  });

  it('corrects client clock skew with the batch sentAt and applies the batch context', async () => {
    // The client clock runs 2 hours behind; the event was made 5 s before sending.
    const event = trackEvent({ timestamp: '2026-03-01T09:59:55.000Z' });
    delete event.context;
    const res = await post(
      {
        writeKey: shop.key,
        sentAt: '2026-03-01T10:00:00.000Z',
        context: { locale: 'de-DE' },
        batch: [event],
      },
      { 'User-Agent': 'TestBrowser/1.0', Origin: shop.origin },
    );
    expect(res.status).toBe(200);
    const [entry] = await queued();
    expect(entry?.time).toBe(NOW - 5_000);
    expect(bodyOf(entry!)).toMatchObject({
      timestamp: '2026-03-01T11:59:55.000Z',
      originalTimestamp: '2026-03-01T09:59:55.000Z',
      sentAt: '2026-03-01T10:00:00.000Z',
      receivedAt: '2026-03-01T12:00:00.000Z',
      context: { locale: 'de-DE', userAgent: 'TestBrowser/1.0' },
    });
  });

  it('answers 503 with Retry-After when the queue cannot take the events', async () => {
    const closed = createMemoryQueue();
    await closed.close();
    const res = await post({ writeKey: shop.key, batch: [trackEvent()] }, {}, closed);
    await expectError(res, 503, 'queue_unavailable');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(logged).toHaveLength(1);
  });

  it('passes on the Retry-After of a full queue', async () => {
    // No in-tree adapter can be filled on demand, so this wraps a real one.
    const inner = createMemoryQueue();
    const full: Queue = {
      ...inner,
      append: async () => {
        throw new QueueFullError('disk budget reached', 30);
      },
    };
    const res = await post({ writeKey: shop.key, batch: [trackEvent()] }, {}, full);
    await expectError(res, 503, 'queue_full');
    expect(res.headers.get('retry-after')).toBe('30');
  });

  it('answers other methods with 405', async () => {
    const res = await app().request('/v1/batch');
    await expectError(res, 405, 'method_not_allowed');
    expect(res.headers.get('allow')).toBe('POST');
  });
});
