import { describe, expect, it } from 'vitest';
import { checkConfig } from './check-config.js';

const demo = { sources: [{ id: 'demo', writeKeys: ['demo-key'], allowedOrigins: ['*'] }] };

function check(text: string | undefined, env: Record<string, string> = {}) {
  return checkConfig({
    file: text === undefined ? undefined : 'sluice.config.json',
    text,
    env,
    fallback: demo,
  });
}

describe('checkConfig', () => {
  it('reports every mistake at its line and column, with the fix or the field it concerns', () => {
    const text = `{
  "limits": { "ipRat": { "requestsPerSecond": 50 } },
  "sources": [
    { "id": "Shop", "writeKeys": ["wk_1"], "allowedOrigins": ["https://shop.example/"] },
    { "id": "api", "secretKeys": ["sk_plain"] }
  ]
}`;
    const { problems } = check(text);
    expect(problems.map((p) => [p.where, p.path])).toEqual([
      ['sluice.config.json:2:15', 'limits.ipRat'],
      ['sluice.config.json:4:7', 'sources[0].id'],
      ['sluice.config.json:4:63', 'sources[0].allowedOrigins[0]'],
      ['sluice.config.json:5:35', 'sources[1].secretKeys[0]'],
    ]);
    expect(problems[0]?.fix).toBe('did you mean "ipRate"?');
    expect(problems[1]?.about).toMatch(/^sources\[\]\.id: Names the source/);
    expect(problems[3]?.message).toMatch(/stored as its hash/);
    expect(problems.every((p) => p.severity === 'error')).toBe(true);
  });

  it('points at a JSON slip once, with how to mend it', () => {
    const { problems } = check(
      '{\n  "sources": [\n    { "id": "shop", "writeKeys": ["k"], },\n  ]\n}',
    );
    expect(problems.map((p) => [p.where, p.message])).toEqual([
      ['sluice.config.json:3:41', 'a name in double quotes is expected'],
      ['sluice.config.json:4:3', 'a value is expected'],
    ]);
    expect(problems[0]?.fix).toMatch(/no comma after the last entry/);
  });

  it('names the environment variable when an override is wrong', () => {
    const { problems } = check(
      '{ "sources": [{ "id": "shop", "writeKeys": ["k"], "allowedOrigins": ["https://a.example"] }] }',
      {
        SLUICE__sources__shop__allowedOrigins: '["a.example"]',
        SLUICE__limits__ipRate__burst: '0',
      },
    );
    // The variable made limits.ipRate, so the rate it lacks is its mistake too.
    expect(problems.map((p) => [p.where, p.path])).toEqual([
      ['SLUICE__limits__ipRate__burst', 'limits.ipRate.requestsPerSecond'],
      ['SLUICE__limits__ipRate__burst', 'limits.ipRate.burst'],
      ['SLUICE__sources__shop__allowedOrigins', 'sources[0].allowedOrigins[0]'],
    ]);
  });

  it('passes a valid config with warnings a person should know about', () => {
    const result = check(undefined);
    expect(result.checked).toBe('no config file: the built-in demo source');
    expect(result.problems).toEqual([
      expect.objectContaining({ severity: 'warning', path: 'sources[0].allowedOrigins' }),
    ]);
    expect(result.summary).toBe(
      '1 source (demo), 1 write key, 0 secret keys; live view off (add admin.secretHash: sluice keys create --admin)',
    );
    const noOrigins = check('{ "sources": [{ "id": "shop", "writeKeys": ["k"] }] }');
    expect(noOrigins.problems[0]?.message).toMatch(/refused \(403 origin_not_allowed\)/);
  });
});

describe('checkConfig on a large config', () => {
  const sources = (count: number, extra: (i: number) => object = () => ({})) =>
    Array.from({ length: count }, (_, i) => ({
      id: `site-${i}`,
      writeKeys: [`wk_${i}`],
      allowedOrigins: [`https://site-${i}.example`],
      ...extra(i),
    }));

  it('sums up 10,000 sources with counts and the first few ids', () => {
    const many = sources(10_000, (i) =>
      i % 100 === 0 ? { limits: { quota: { eventsPerDay: 1000 } } } : {},
    );
    const result = check(JSON.stringify({ sources: many }, null, 2));
    expect(result.problems).toEqual([]);
    expect(result.summary).toBe(
      '10000 sources (site-0, site-1, site-2, site-3, site-4 and 9995 more), 10000 write keys, 0 secret keys, 100 with a quota; live view off (add admin.secretHash: sluice keys create --admin)',
    );
  });

  it('still reports every mistake, each at its place, and counts repeated warnings', () => {
    const many = sources(10_000, (i) =>
      i === 7_000 ? { id: 'Bad Id' } : i >= 9_000 ? { allowedOrigins: [] } : {},
    );
    many[8_000]!.writeKeys = ['wk_1'];
    const invalid = check(JSON.stringify({ sources: many }, null, 2));
    expect(invalid.problems.map((p) => p.path)).toEqual([
      'sources[7000].id',
      'sources[8000].writeKeys[0]',
    ]);
    expect(invalid.problems.every((p) => /^sluice\.config\.json:\d+:\d+$/.test(p.where))).toBe(
      true,
    );
    many[7_000]!.id = 'site-7000';
    many[8_000]!.writeKeys = ['wk_8000'];
    const warned = check(JSON.stringify({ sources: many }, null, 2));
    expect(warned.problems.length).toBe(6);
    expect(warned.problems[5]?.message).toBe(
      '995 more sources have no allowed origin: sources[9005], sources[9006], sources[9007], sources[9008], sources[9009], …',
    );
  });
});
