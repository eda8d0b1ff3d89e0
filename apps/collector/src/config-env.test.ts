import { describe, expect, it } from 'vitest';
import { parseCollectorConfig } from './config.js';
import { applyConfigEnv } from './config-env.js';

const file = {
  sources: [{ id: 'shop', writeKeys: ['wk_shop'], allowedOrigins: ['https://shop.example'] }],
};

describe('applyConfigEnv', () => {
  it('sets values by path, read as JSON when they are JSON', () => {
    const config = parseCollectorConfig(
      applyConfigEnv(file, {
        SLUICE__trustProxy: '1',
        SLUICE__limits__ipRate__requestsPerSecond: '50',
        SLUICE__sources__shop__allowedOrigins: '["https://*.shop.example"]',
        SLUICE__sources__shop__enrich__ip: 'drop',
        PATH: '/usr/bin',
      }),
    );
    expect(config.trustProxy).toBe(1);
    expect(config.limits.ipRate).toEqual({ requestsPerSecond: 50, burst: 100 });
    expect(config.sources[0]?.allowedOrigins).toEqual(['https://*.shop.example']);
    expect(config.sources[0]?.enrich.ip).toBe('drop');
  });

  it('addresses sources by id, adding one the file does not have', () => {
    const out = applyConfigEnv(file, { SLUICE__sources__api__secretKeys: '["sha256:ab"]' });
    expect(out).toEqual({
      sources: [file.sources[0], { id: 'api', secretKeys: ['sha256:ab'] }],
    });
  });

  it('turns a limit off with null, and leaves the input unchanged', () => {
    const out = applyConfigEnv(file, { SLUICE__limits__ipRate: 'null' }) as {
      limits: unknown;
    };
    expect(out.limits).toEqual({ ipRate: null });
    expect(file).not.toHaveProperty('limits');
  });

  it('returns the config itself when no variable applies', () => {
    expect(applyConfigEnv(file, { HOME: '/root' })).toBe(file);
  });

  it('refuses malformed variables, naming them', () => {
    expect(() => applyConfigEnv(file, { SLUICE__sources__shop: '{}' })).toThrow(
      /SLUICE__sources__shop: name a source and a field/,
    );
    expect(() => applyConfigEnv(file, { SLUICE__limits____x: '1' })).toThrow(
      /SLUICE__limits____x: not a config path/,
    );
    expect(() => applyConfigEnv(file, { SLUICE____proto____x: '1' })).toThrow(/not a config path/);
  });

  it('lets the schema report a misspelt override like a misspelt file entry', () => {
    expect(() =>
      parseCollectorConfig(applyConfigEnv(file, { SLUICE__limits__ipRat: '1' })),
    ).toThrow(/limits: Unrecognized key: "ipRat"/);
  });
});
