import { DEFAULT_ENRICH } from '@sluice/ingest';
import { MAX_EVENT_BYTES, MAX_REQUEST_BYTES } from '@sluice/schema';
import { describe, expect, it } from 'vitest';
import {
  collectorConfigSchema,
  DEFAULT_IP_BYTE_RATE,
  DEFAULT_IP_EVENT_RATE,
  DEFAULT_IP_RATE,
  parseCollectorConfig,
} from './config.js';
import { backend } from './test-support.js';

function messages(input: unknown): string[] {
  const result = collectorConfigSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('collectorConfigSchema', () => {
  it('fills every default: Segment size limits, a per-IP rate, all enrichment on', () => {
    const config = parseCollectorConfig({
      sources: [
        { id: 'shop', writeKeys: ['wk_1'], allowedOrigins: ['https://shop.example', '*'] },
        { id: 'api-2', secretKeys: [backend.secretHash] },
      ],
    });
    expect(config.trustProxy).toBe(0);
    expect(config.limits).toEqual({
      maxRequestBytes: MAX_REQUEST_BYTES,
      maxEventBytes: MAX_EVENT_BYTES,
      ipRate: DEFAULT_IP_RATE,
      ipEventRate: DEFAULT_IP_EVENT_RATE,
      ipByteRate: DEFAULT_IP_BYTE_RATE,
      maxTrackedClients: 100_000,
    });
    expect(config.sources[1]).toEqual({
      id: 'api-2',
      writeKeys: [],
      secretKeys: [backend.secretHash],
      snowplowAppIds: [],
      allowedOrigins: [],
      side: 'auto',
      limits: {
        rate: null,
        eventRate: null,
        byteRate: null,
        quota: null,
        maxEventBytes: MAX_EVENT_BYTES,
        maxRequestBytes: MAX_REQUEST_BYTES,
      },
      enrich: DEFAULT_ENRICH,
    });
  });

  it('gives sources the collector-wide size limits they do not set, and their own rate', () => {
    const config = parseCollectorConfig({
      limits: { maxRequestBytes: 100_000, maxEventBytes: 10_000, ipRate: null },
      sources: [
        {
          id: 'a',
          writeKeys: ['k'],
          limits: { maxEventBytes: 2048, rate: { requestsPerSecond: 5 } },
        },
      ],
    });
    expect(config.limits.ipRate).toBeNull();
    expect(config.sources[0]?.limits).toEqual({
      maxEventBytes: 2048,
      maxRequestBytes: 100_000,
      // The burst defaults to twice the rate.
      rate: { requestsPerSecond: 5, burst: 10 },
      eventRate: null,
      byteRate: null,
      quota: null,
    });
  });

  it('is idempotent: a parsed config parses to itself', () => {
    const config = parseCollectorConfig({ sources: [{ id: 'a', writeKeys: ['k'] }] });
    expect(parseCollectorConfig(config)).toEqual(config);
  });

  it('refuses origins that are not exact or a wildcard subdomain', () => {
    const problems = messages({
      sources: [
        {
          id: 'shop',
          writeKeys: ['k'],
          allowedOrigins: ['https://shop.example/', 'shop.example', 'https://*.shop.example'],
        },
      ],
    });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^sources\.0\.allowedOrigins\.0: an origin must be/);
    expect(problems[1]).toMatch(/^sources\.0\.allowedOrigins\.1: /);
  });

  it('refuses a source id that cannot be a path segment', () => {
    expect(messages({ sources: [{ id: 'My Shop', writeKeys: ['k'] }] })[0]).toMatch(
      /^sources\.0\.id: id must be a slug/,
    );
  });

  it('refuses a key used by two sources, and a repeated id', () => {
    const problems = messages({
      sources: [
        { id: 'a', writeKeys: ['same'], secretKeys: [backend.secretHash] },
        { id: 'a', writeKeys: ['same'], secretKeys: [backend.secretHash] },
      ],
    });
    expect(problems).toEqual([
      'sources.1.id: source id "a" is used twice',
      'sources.1.writeKeys.0: this key is already used by source "a"',
      'sources.1.secretKeys.0: this key is already used by source "a"',
    ]);
  });

  it('refuses write keys that cannot be a Basic auth user name', () => {
    expect(messages({ sources: [{ id: 'a', writeKeys: ['has:colon'] }] })[0]).toMatch(
      /^sources\.0\.writeKeys\.0:/,
    );
  });

  it('refuses a secret key written in the clear, saying how to hash it', () => {
    const [problem] = messages({ sources: [{ id: 'a', secretKeys: ['sk_live_plain'] }] });
    expect(problem).toMatch(/^sources\.0\.secretKeys\.0: a secret key is stored as its hash/);
    expect(problem).toContain('hash-secret');
  });

  it('refuses a source without any key', () => {
    expect(messages({ sources: [{ id: 'a' }] })).toEqual([
      'sources.0.writeKeys: a source needs at least one write key (browsers, SDKs), secret key (servers) or Snowplow app id',
    ]);
  });

  it('takes a source with only Snowplow app ids, and refuses an app id two sources claim', () => {
    expect(messages({ sources: [{ id: 'a', snowplowAppIds: ['site-1'] }] })).toEqual([]);
    expect(
      messages({
        sources: [
          { id: 'a', snowplowAppIds: ['site-1'] },
          { id: 'b', snowplowAppIds: ['site-1'] },
        ],
      }),
    ).toEqual(['sources.1.snowplowAppIds.0: this app id is already used by source "a"']);
  });

  it('refuses source limits above the collector-wide request limit', () => {
    const problems = messages({
      limits: { maxRequestBytes: 10_000 },
      sources: [{ id: 'a', writeKeys: ['k'], limits: { maxRequestBytes: 20_000 } }],
    });
    expect(problems).toEqual([
      'sources.0.limits.maxRequestBytes: must be at most limits.maxRequestBytes (10000)',
    ]);
  });

  it('refuses event and byte bursts that the largest request could never pass', () => {
    const problems = messages({
      limits: {
        ipEventRate: { eventsPerSecond: 10, burst: 100 },
        ipByteRate: { bytesPerSecond: 1e6, burst: 100_000 },
      },
      sources: [
        { id: 'a', writeKeys: ['k'], limits: { byteRate: { bytesPerSecond: 1e5, burst: 2048 } } },
      ],
    });
    expect(problems).toEqual([
      'limits.ipEventRate.burst: burst must be at least 2500 (a full batch)',
      expect.stringMatching(
        /^limits\.ipByteRate\.burst: must be at least limits\.maxRequestBytes \(512000\)/,
      ),
      expect.stringMatching(
        /^sources\.0\.limits\.byteRate\.burst: must be at least the request limit \(512000\)/,
      ),
    ]);
  });

  it('refuses nonsense limits and settings with a message each', () => {
    const problems = messages({
      trustProxy: -1,
      limits: { maxRequestBytes: 10, ipRate: { requestsPerSecond: 0 } },
      sources: [{ id: 'a', writeKeys: ['k'], enrich: { ip: 'keep' } }],
    });
    expect(problems).toEqual([
      'trustProxy: trustProxy must be 0 or more',
      'limits.maxRequestBytes: maxRequestBytes must be at least 1024 bytes',
      'limits.ipRate.requestsPerSecond: requestsPerSecond must be above 0',
      'sources.0.enrich.ip: ip must be "anonymize" or "drop"',
    ]);
  });

  it('refuses misspelt settings instead of ignoring them', () => {
    expect(messages({ sources: [{ id: 'a', writeKeys: ['k'], allowedOrigin: ['*'] }] })[0]).toMatch(
      /allowedOrigin/,
    );
    expect(messages({ limit: {}, sources: [{ id: 'a', writeKeys: ['k'] }] })[0]).toMatch(/limit/);
  });
});

describe('parseCollectorConfig', () => {
  it('throws one message listing every problem by path', () => {
    expect(() => parseCollectorConfig({ sources: [] })).toThrow(
      'invalid collector config:\n  - sources: sources must hold at least one source',
    );
  });
});
