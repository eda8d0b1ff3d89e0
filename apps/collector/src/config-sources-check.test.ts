import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { collectorConfigSchema, parseCollectorConfig } from './config.js';
import { sourceSchema } from './config-source.js';
import { checkSourcesFast, FAST_CHECK_FROM } from './config-sources-check.js';
import { backend } from './test-support.js';

const sourcesSchema = z.array(sourceSchema);

// Values near the edges of what the schema takes, for each field of a source: mostly valid
// ones (so that zod takes many of the lists), now and then one that is not.
const pick = (valid: unknown[], invalid: unknown[]) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...valid) },
    { weight: 1, arbitrary: fc.constantFrom(...invalid) },
  );
const list = (valid: unknown[], invalid: unknown[]) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.array(pick(valid, invalid), { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.constantFrom('wk', null) },
  );
/** Absent half the time, or (`rare`) most of the time. */
const optional = (arbitrary: fc.Arbitrary<unknown>, rare = false) =>
  fc.oneof({ weight: rare ? 15 : 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
const source = fc
  .record({
    id: pick(['shop', 'a_b-1', 'x'.repeat(64)], ['Shop', '', 5, 'x'.repeat(65)]),
    writeKeys: optional(list(['wk_1', 'k.2~', 'wk_3'], ['bad key', 7, 'é'])),
    secretKeys: optional(list([backend.secretHash], ['sha256:ABC', 'plain'])),
    // 129 emoji: 129 code points (what ajv counts) but 258 UTF-16 units (what zod counts).
    snowplowAppIds: optional(
      list(['app', 'x'.repeat(256), '😀'.repeat(128)], ['', '😀'.repeat(129), 'x'.repeat(257)]),
    ),
    allowedOrigins: optional(
      list(
        ['*', 'https://a.example', 'http://localhost:8080', 'https://*.b.example'],
        ['https://a.example/', 'a.example', 'http://08', 'https://A.example', 3],
      ),
    ),
    side: optional(pick(['auto', 'client', 'server'], ['both'])),
    limits: optional(
      pick(
        [
          {},
          { rate: { requestsPerSecond: 5 } },
          { rate: null, quota: { eventsPerDay: 10, eventsPerMinute: 2 } },
          { maxEventBytes: 2048, maxRequestBytes: 4096 },
          { eventRate: { eventsPerSecond: 1, burst: 3000 }, byteRate: { bytesPerSecond: 1e6 } },
        ],
        [
          { maxEventBytes: 10 },
          { eventRate: { eventsPerSecond: 1, burst: 3 } },
          { quota: { eventsPerDay: 1.5 } },
          { bogus: 1 },
        ],
      ),
    ),
    enrich: optional(
      pick([{}, { geo: false }, { ip: 'drop', detectBots: false }], [{ ip: 'raw' }]),
    ),
    plan: optional(fc.constantFrom('plan.json', {}), true),
    extra: optional(fc.constant(1), true),
  })
  .map((fields) => Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)));

describe('checkSourcesFast', () => {
  it('gives what zod gives, and nothing where zod refuses', () => {
    let compared = 0;
    fc.assert(
      fc.property(fc.array(source, { minLength: 1, maxLength: 3 }), (sources) => {
        const fast = checkSourcesFast(sources, 1);
        const zod = sourcesSchema.safeParse(sources);
        if (!zod.success) expect(fast).toBeUndefined();
        else if (fast !== undefined) expect(fast).toStrictEqual(zod.data);
        if (fast !== undefined) compared++;
      }),
      { numRuns: 1_000 },
    );
    // The comparison above ran on many lists, not only on refused ones.
    expect(compared).toBeGreaterThan(50);
  });

  it('takes the sources of a hosted config, and copies their lists', () => {
    const sources = [
      { id: 'site-1', writeKeys: ['wk_1'], allowedOrigins: ['https://site-1.example'] },
      { id: 'site-2', secretKeys: [backend.secretHash], limits: { quota: { eventsPerDay: 5 } } },
      { id: 'site-3', snowplowAppIds: ['app'], side: 'client', enrich: { geo: false } },
    ];
    const fast = checkSourcesFast(sources, 1);
    expect(fast).toStrictEqual(sourcesSchema.parse(sources));
    expect(fast?.[0]?.writeKeys).not.toBe(sources[0]?.writeKeys);
  });

  it('counts lengths in UTF-16 units as zod does (an emoji is two)', () => {
    const within = [{ id: 'a', snowplowAppIds: ['😀'.repeat(128)] }];
    expect(checkSourcesFast(within, 1)).toStrictEqual(sourcesSchema.parse(within));
    expect(checkSourcesFast([{ id: 'a', snowplowAppIds: ['😀'.repeat(129)] }], 1)).toBeUndefined();
  });

  it('parses a config of many sources as zod does, and zod words a mistake in one', () => {
    const sources = Array.from({ length: FAST_CHECK_FROM }, (_, i) => ({
      id: `site-${i}`,
      writeKeys: [`wk_${i}`],
      allowedOrigins: [`https://site-${i}.example`],
    }));
    expect(checkSourcesFast(sources)).toBeDefined();
    expect(parseCollectorConfig({ sources })).toStrictEqual(
      collectorConfigSchema.parse({ sources }),
    );
    const broken = sources.map((s, i) =>
      i === 4321 ? { ...s, allowedOrigins: ['site.example'] } : s,
    );
    expect(() => parseCollectorConfig({ sources: broken })).toThrow(
      /sources\.4321\.allowedOrigins\.0: an origin must be "\*"/,
    );
  });

  it('checks many sources against each other and the collector limits as zod does', () => {
    const sources = Array.from({ length: FAST_CHECK_FROM }, (_, i) => ({
      id: `site-${i}`,
      writeKeys: [`wk_${i}`],
      ...(i % 3 === 0 ? { limits: { maxRequestBytes: 4096, rate: { requestsPerSecond: 5 } } } : {}),
      ...(i % 5 === 0 ? { limits: { maxEventBytes: 2048 } } : {}),
    }));
    const config = { limits: { maxRequestBytes: 100_000, maxEventBytes: 50_000 }, sources };
    const parsed = parseCollectorConfig(config);
    expect(parsed).toStrictEqual(collectorConfigSchema.parse(config));
    expect(parsed.sources[1]?.limits).toMatchObject({
      maxEventBytes: 50_000,
      maxRequestBytes: 100_000,
    });
    expect(parsed.sources[3]?.limits).toMatchObject({ maxEventBytes: 4096, maxRequestBytes: 4096 });
    const mistakes: [unknown[], RegExp][] = [
      [
        sources.map((s, i) => (i === 4000 ? { ...s, writeKeys: ['wk_12'] } : s)),
        /sources\.4000\.writeKeys\.0: this key is already used by source "site-12"/,
      ],
      [
        sources.map((s, i) => (i === 4001 ? { ...s, id: 'site-7' } : s)),
        /sources\.4001\.id: source id "site-7" is used twice/,
      ],
      [
        sources.map((s, i) => (i === 4002 ? { ...s, limits: { maxRequestBytes: 200_000 } } : s)),
        /sources\.4002\.limits\.maxRequestBytes: must be at most limits\.maxRequestBytes \(100000\)/,
      ],
    ];
    for (const [broken, message] of mistakes) {
      expect(() => parseCollectorConfig({ ...config, sources: broken })).toThrow(message);
    }
    expect(() =>
      parseCollectorConfig({ limits: { maxRequestBytes: 4096, maxEventBytes: 8192 }, sources }),
    ).toThrow(/limits\.maxEventBytes: must be at most limits\.maxRequestBytes \(4096\)/);
  });
});
