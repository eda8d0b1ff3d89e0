import { describe, expect, it } from 'vitest';
import { collectorConfigSchema, parseCollectorConfig } from './config.js';

function messages(input: unknown): string[] {
  const result = collectorConfigSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('collectorConfigSchema', () => {
  it('accepts sources and defaults allowedOrigins to none', () => {
    const config = parseCollectorConfig({
      sources: [
        { id: 'shop', writeKeys: ['wk_1'], allowedOrigins: ['https://shop.example', '*'] },
        { id: 'api-2', writeKeys: ['wk_2'] },
      ],
    });
    expect(config.sources[1]?.allowedOrigins).toEqual([]);
  });

  it('refuses origins that are not exact', () => {
    const problems = messages({
      sources: [
        {
          id: 'shop',
          writeKeys: ['k'],
          allowedOrigins: ['https://shop.example/', 'shop.example', 'https://*.shop.example'],
        },
      ],
    });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^sources\.0\.allowedOrigins\.0: an origin must be exact/);
  });

  it('refuses a source id that cannot be a path segment', () => {
    expect(messages({ sources: [{ id: 'My Shop', writeKeys: ['k'] }] })[0]).toMatch(
      /^sources\.0\.id: id must be a slug/,
    );
  });

  it('refuses a write key used by two sources, and a repeated id', () => {
    const problems = messages({
      sources: [
        { id: 'a', writeKeys: ['same'] },
        { id: 'a', writeKeys: ['same'] },
      ],
    });
    expect(problems).toEqual([
      'sources.1.id: source id "a" is used twice',
      'sources.1.writeKeys.0: this write key is already used by source "a"',
    ]);
  });

  it('refuses write keys that cannot be a Basic auth user name', () => {
    expect(messages({ sources: [{ id: 'a', writeKeys: ['has:colon'] }] })[0]).toMatch(
      /^sources\.0\.writeKeys\.0:/,
    );
  });

  it('refuses misspelt settings instead of ignoring them', () => {
    expect(messages({ sources: [{ id: 'a', writeKeys: ['k'], allowedOrigin: ['*'] }] })[0]).toMatch(
      /allowedOrigin/,
    );
  });
});

describe('parseCollectorConfig', () => {
  it('throws one message listing every problem by path', () => {
    expect(() => parseCollectorConfig({ sources: [] })).toThrow(
      'invalid collector config:\n  - sources: sources must hold at least one source',
    );
  });
});
