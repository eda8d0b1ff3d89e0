import { type Queue, QueueFullError } from '@sluice/queue';
import { describe, expect, it } from 'vitest';
import { createCollectorApp } from './app.js';
import type { CollectorLogger, EventsReport, RequestReport } from './observe.js';
import { VERSIONED_TAG_ROUTE } from './tag-routes.js';
import { memoryQueuePerTest, queue } from './test-queue.js';
import { backend, CLIENT_IP, shop, testConfig, trackEvent } from './test-support.js';

memoryQueuePerTest();

function recordingLogger() {
  const lines: { level: string; fields: object; message?: string }[] = [];
  const at =
    (level: string) =>
    (fields: object, message?: string): void => {
      lines.push({ level, fields, message });
    };
  const logger: CollectorLogger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
  return { logger, lines };
}

describe('/readyz', () => {
  it('is ready until the queue refuses events, and again after its Retry-After', async () => {
    let nowMs = 0;
    let full = false;
    const filling: Queue = {
      ...queue,
      append: async (messages) => {
        if (full) throw new QueueFullError('disk budget reached', 10);
        await queue.append(messages);
      },
    };
    const app = createCollectorApp({ queue: filling, config: testConfig, now: () => nowMs });
    const send = () =>
      app.request('/v1/batch', {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain' },
        body: JSON.stringify({ writeKey: shop.key, batch: [trackEvent()] }),
      });
    expect((await app.request('/readyz')).status).toBe(200);
    full = true;
    expect((await send()).status).toBe(503);
    const notReady = await app.request('/readyz');
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({
      status: 'not_ready',
      reason: 'the queue is refusing events',
    });
    expect((await app.request('/healthz')).status).toBe(200);
    nowMs += 10_000;
    expect((await app.request('/readyz')).status).toBe(200);
  });

  it('answers 503 while the entry point says it is shutting down', async () => {
    let closing = false;
    const app = createCollectorApp({ queue, config: testConfig, isReady: () => !closing });
    expect((await app.request('/readyz')).status).toBe(200);
    closing = true;
    expect((await app.request('/readyz')).status).toBe(503);
  });
});

describe('/openapi.json', () => {
  it('documents every route the app serves, with the configured limits', async () => {
    const app = createCollectorApp({
      queue,
      config: testConfig,
      metrics: async () => ({ contentType: 'text/plain', body: '' }),
    });
    const res = await app.request('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: { description: string } }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    const served = app.routes
      .filter((r) => r.method === 'GET' || r.method === 'POST')
      // Hono's `:name` is OpenAPI's `{name}`.
      .map((r) => ({ ...r, path: r.path === VERSIONED_TAG_ROUTE ? '/s.{version}.js' : r.path }))
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method} ${path}`),
    );
    expect(new Set(documented)).toEqual(new Set(served));
    expect(doc.paths['/v1/batch']?.post?.requestBody?.description).toContain('512000 bytes');
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['Event', 'BatchRequest', 'BatchResponse', 'Error']),
    );
  });
});

describe('observer and logger', () => {
  it('reports each request by route pattern, and the events by source and reason', async () => {
    const requests: RequestReport[] = [];
    const events: EventsReport[] = [];
    const app = createCollectorApp({
      queue,
      config: testConfig,
      observer: {
        requestFinished: (r) => requests.push(r),
        eventsIngested: (e) => events.push(e),
      },
    });
    await app.request('/v1/batch', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify({ writeKey: shop.key, batch: [trackEvent(), { type: 'nope' }] }),
    });
    // Bytes carry no Content-Type (a string body would be text/plain).
    await app.request('/v1/batch', { method: 'POST', body: new TextEncoder().encode('{}') });
    await app.request('/some/scanner/path');
    expect(requests.map(({ seconds: _, ...r }) => r)).toEqual([
      { route: '/v1/batch', method: 'POST', status: 200 },
      { route: '/v1/batch', method: 'POST', status: 415, code: 'unsupported_media_type' },
      { route: 'unmatched', method: 'GET', status: 404, code: 'not_found' },
    ]);
    expect(requests.every((r) => r.seconds >= 0)).toBe(true);
    expect(events).toEqual([
      {
        source: 'shop',
        accepted: 1,
        repeated: 0,
        quarantined: ['invalid_type'],
        planViolations: [],
        delaysMs: [expect.any(Number)], // the accepted event's, for the delivery ledger
      },
    ]);
  });

  it('tells a resend of an acknowledged messageId from its first copy: accepted counts both', async () => {
    const events: EventsReport[] = [];
    const app = createCollectorApp({
      queue,
      config: testConfig,
      observer: { requestFinished: () => {}, eventsIngested: (e) => events.push(e) },
    });
    const [first, second] = [trackEvent(), trackEvent()];
    const post = (batch: unknown[]) =>
      app.request('/v1/batch', {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain' },
        body: JSON.stringify({ writeKey: shop.key, batch }),
      });
    await post([first]);
    await post([first, second]); // another tab's copy of the first, and a new one
    expect(events.map(({ accepted, repeated }) => ({ accepted, repeated }))).toEqual([
      { accepted: 1, repeated: 0 },
      { accepted: 2, repeated: 1 },
    ]);
  });

  it('logs refused requests with the anonymized IP, never the raw one or a key', async () => {
    const { logger, lines } = recordingLogger();
    const app = createCollectorApp({
      queue,
      config: testConfig,
      logger,
      clientIp: () => CLIENT_IP,
    });
    await app.request('/v1/batch', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', Authorization: `Bearer ${backend.secret}x` },
      body: JSON.stringify({ writeKey: shop.key, batch: [trackEvent()] }),
    });
    await app.request('/v1/batch', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: `{"writeKey":"${shop.key}", broken`,
    });
    expect(lines.map((l) => [l.level, (l.fields as { code: string }).code])).toEqual([
      ['debug', 'unauthorized'],
      ['debug', 'invalid_json'],
    ]);
    expect(lines[0]?.fields).toMatchObject({ ip: '203.0.113.0', status: 401 });
    const text = JSON.stringify(lines);
    expect(text).not.toContain(CLIENT_IP);
    expect(text).not.toContain(backend.secret);
    expect(text).not.toContain(shop.key);
  });

  it('logs an unexpected failure as an error and answers 503 to the client', async () => {
    const { logger, lines } = recordingLogger();
    const broken: Queue = {
      ...queue,
      append: async () => {
        throw new Error('disk on fire');
      },
    };
    const app = createCollectorApp({ queue: broken, config: testConfig, logger });
    const res = await app.request('/v1/batch', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify({ writeKey: shop.key, batch: [trackEvent()] }),
    });
    expect(res.status).toBe(503);
    const error = lines.find((l) => l.level === 'error');
    expect(error?.message).toMatch(/queue append failed/);
    expect(error?.fields).toMatchObject({ err: { message: 'disk on fire' } });
  });
});
