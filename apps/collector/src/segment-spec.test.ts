// The parts of Segment's protocol beyond the canonical batch: Basic auth without a colon, the
// settings analytics.js loads, and client-side against server-side sources (context.ip from
// the connection, historical timestamps).
import { describe, expect, it } from 'vitest';
import { createCollectorApp } from './app.js';
import { parseCollectorConfig } from './config.js';
import { memoryQueuePerTest, queue, queued } from './test-queue.js';
import {
  backend,
  bodyOf,
  CLIENT_IP,
  expectError,
  shop,
  testConfig,
  testSources,
} from './test-support.js';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
memoryQueuePerTest();

function app(config = testConfig) {
  return createCollectorApp({ queue, config, now: () => NOW, clientIp: () => CLIENT_IP });
}

const basic = (text: string) => `Basic ${btoa(text)}`;
const old = { userId: 'u1', event: 'Imported', timestamp: '2025-06-01T08:00:00Z' };

async function storedTrack(path: string, headers: Record<string, string>, config = testConfig) {
  const res = await app(config).request(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(path === '/v1/track' ? old : { batch: [{ ...old, type: 'track' }] }),
  });
  expect(res.status).toBe(200);
  const entries = await queued();
  return { entry: entries.at(-1)!, event: bodyOf(entries.at(-1)!) };
}

describe('Basic auth as Segment takes it', () => {
  it('accepts the write key without the colon that ends a user name', async () => {
    const { entry } = await storedTrack('/v1/track', { Authorization: basic(backend.key) });
    expect(entry.source).toBe('backend');
  });

  it('still refuses an unknown key given that way', async () => {
    const res = await app().request('/v1/track', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: basic('wk_unknown') },
      body: JSON.stringify(old),
    });
    await expectError(res, 401, 'unauthorized');
  });
});

describe('server-side and client-side requests', () => {
  it('a server SDK (Basic auth, no Origin): past timestamp kept, no IP from the connection', async () => {
    const { entry, event } = await storedTrack('/v1/track', {
      Authorization: basic(`${backend.key}:`),
    });
    expect(entry.time).toBe(Date.parse('2025-06-01T08:00:00Z'));
    expect(event).not.toHaveProperty('timestampClamped');
    expect(event.context).toBeUndefined();
  });

  it('a browser (Origin): past timestamp clamped, the IP of the connection anonymized', async () => {
    const { entry, event } = await storedTrack('/v1/track', {
      Authorization: basic(shop.key),
      Origin: shop.origin,
    });
    expect(entry.time).toBe(NOW);
    expect(event).toMatchObject({ timestampClamped: 'past', context: { ip: '203.0.113.0' } });
  });

  it('/v1/import keeps the past timestamp even from a browser', async () => {
    const { entry } = await storedTrack('/v1/import', {
      Authorization: basic(shop.key),
      Origin: shop.origin,
    });
    expect(entry.time).toBe(Date.parse('2025-06-01T08:00:00Z'));
  });

  it('a mobile SDK (no Origin, its library in context) counts as client-side', async () => {
    const res = await app().request('/v1/batch', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: basic(`${backend.key}:`) },
      body: JSON.stringify({
        batch: [{ ...old, type: 'track', context: { library: { name: 'analytics-kotlin' } } }],
      }),
    });
    expect(res.status).toBe(200);
    const event = bodyOf((await queued())[0]!);
    expect(event).toMatchObject({ timestampClamped: 'past', context: { ip: '203.0.113.0' } });
  });

  it('follows the source’s `side` over the guess', async () => {
    const config = parseCollectorConfig({
      ...testConfig,
      sources: testSources.map((s) => (s.id === 'backend' ? { ...s, side: 'client' } : s)),
    });
    const { event } = await storedTrack('/v1/track', { Authorization: basic(backend.key) }, config);
    expect(event).toMatchObject({ timestampClamped: 'past', context: { ip: '203.0.113.0' } });
  });
});

describe('GET /v1/projects/:writeKey/settings', () => {
  it('answers analytics.js settings that send to this collector, with CORS', async () => {
    const res = await app().request(`http://collect.test:8080/v1/projects/${shop.key}/settings`, {
      headers: { Origin: shop.origin },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(shop.origin);
    const settings = (await res.json()) as { integrations: Record<string, unknown> };
    expect(Object.keys(settings.integrations)).toEqual(['Segment.io']);
    expect(settings.integrations['Segment.io']).toMatchObject({
      apiKey: shop.key,
      apiHost: 'collect.test:8080/v1',
      protocol: 'http',
    });
  });

  it('is 404 for an unknown write key and 403 for an origin the source does not allow', async () => {
    await expectError(await app().request('/v1/projects/wk_nope/settings'), 404, 'not_found');
    const res = await app().request(`/v1/projects/${shop.key}/settings`, {
      headers: { Origin: 'https://evil.example' },
    });
    await expectError(res, 403, 'origin_not_allowed');
  });
});
