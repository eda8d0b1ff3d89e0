import { describe, expect, it } from 'vitest';
import { createCollectorApp } from './app.js';
import type { CollectorConfigInput } from './config.js';
import { memoryQueuePerTest, queue, queued } from './test-queue.js';
import {
  backend,
  bodyOf,
  CLIENT_IP,
  shop,
  testConfig,
  testSources,
  trackEvent,
} from './test-support.js';

const CHROME =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

memoryQueuePerTest();

async function storedEvent(
  body: unknown,
  headers: Record<string, string>,
  config: CollectorConfigInput = testConfig,
  path = '/v1/batch',
) {
  const app = createCollectorApp({ queue, config, clientIp: () => CLIENT_IP });
  const res = await app.request(path, {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain', ...headers },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  const entries = await queued();
  return bodyOf(entries[entries.length - 1]!) as { context: Record<string, unknown> };
}

describe('enrichment of a browser request', () => {
  it('stores the anonymized client IP and what the user agent tells, never the raw IP', async () => {
    const event = await storedEvent(
      { writeKey: shop.key, batch: [trackEvent()] },
      { Origin: shop.origin, 'User-Agent': CHROME },
    );
    expect(event.context).toEqual({
      ip: '203.0.113.0',
      userAgent: CHROME,
      browser: { name: 'Chrome', version: '126.0.0.0' },
      os: { name: 'Linux' },
      bot: false,
    });
    const raw = new TextDecoder().decode((await queued())[0]!.body);
    expect(raw).not.toContain(CLIENT_IP);
  });

  it('does what the source asks: here, no IP and no user agent facts', async () => {
    const config = {
      ...testConfig,
      sources: testSources.map((s) =>
        s.id === 'shop'
          ? { ...s, enrich: { ip: 'drop' as const, parseUserAgent: false, detectBots: false } }
          : s,
      ),
    };
    const event = await storedEvent(
      { writeKey: shop.key, batch: [trackEvent({ context: { ip: '198.51.100.23' } })] },
      { Origin: shop.origin, 'User-Agent': CHROME },
      config,
    );
    expect(event.context).toEqual({ userAgent: CHROME });
  });
});

describe('the transport of the delivery ledger', () => {
  const fetched = { Origin: shop.origin, 'Sec-Fetch-Mode': 'cors', 'Sec-Fetch-Dest': 'empty' };
  const transport = async (path: string) =>
    (await storedEvent({ writeKey: shop.key, batch: [trackEvent()] }, fetched, testConfig, path))
      .context.transport;

  it("stores resend for the tag's ?r requests (events sent before), fetch for the others", async () => {
    expect(await transport('/v1/batch?r')).toBe('resend');
    expect(await transport('/v1/batch')).toBe('fetch');
  });
});

describe('enrichment of a server request', () => {
  it("does not take the SDK's User-Agent for the user's, and anonymizes the user IP it sent", async () => {
    const event = await storedEvent(
      { writeKey: backend.key, batch: [trackEvent({ context: { ip: '198.51.100.23' } })] },
      { 'User-Agent': 'analytics-node-next/latest' },
    );
    expect(event.context).toEqual({ ip: '198.51.100.0' });
  });
});
