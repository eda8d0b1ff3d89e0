import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createSecretKeyMatcher,
  generateSecretKey,
  hashSecretKey,
  MAX_SECRET_KEY_LENGTH,
} from './secret-keys.js';
import { backend } from './test-support.js';

describe('hashSecretKey', () => {
  it('gives the sha256: form the config stores (SHA-256 of the UTF-8 key, lower-case hex)', async () => {
    // sha256("abc"), a published test vector.
    expect(await hashSecretKey('abc')).toBe(
      'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(await hashSecretKey(backend.secret)).toBe(backend.secretHash);
  });
});

describe('generateSecretKey', () => {
  it('makes distinct 256-bit keys that can travel in a header', () => {
    const a = generateSecretKey();
    expect(a).toMatch(/^sk_[A-Za-z0-9_-]{43}$/);
    expect(generateSecretKey()).not.toBe(a);
  });
});

describe('createSecretKeyMatcher', () => {
  it('finds the owner of a presented key by its hash, and nobody for other keys', async () => {
    const match = createSecretKeyMatcher(
      new Map([
        [await hashSecretKey('sk_one'), 'one'],
        [await hashSecretKey('sk_two'), 'two'],
      ]),
    );
    expect(await match('sk_two')).toBe('two');
    expect(await match('sk_one')).toBe('one');
    expect(await match('sk_three')).toBeUndefined();
    expect(await match('')).toBeUndefined();
    // The stored hash itself is not a key.
    expect(await match(await hashSecretKey('sk_one'))).toBeUndefined();
  });
});

describe('createSecretKeyMatcher with many sources', () => {
  // Hashes made with node:crypto here: 100k awaits of crypto.subtle would only slow the test.
  const hashOf = (secret: string) => `sha256:${createHash('sha256').update(secret).digest('hex')}`;
  const generated = (count: number) =>
    new Map(Array.from({ length: count }, (_, i) => [hashOf(`sk_source_${i}`), i]));

  for (const count of [10_000, 100_000]) {
    it(`compares one stored digest per request among ${count} sources, whatever the key`, async () => {
      let compares = 0;
      const match = createSecretKeyMatcher(generated(count), {
        compare: (a, b) => {
          compares++;
          return a.length === b.length && a.every((byte, i) => byte === b[i]);
        },
      });
      expect(await match(`sk_source_${count - 1}`)).toBe(count - 1);
      expect(compares).toBe(1);
      expect(await match('sk_source_7')).toBe(7);
      expect(compares).toBe(2);
      // An unknown key finds no entry: no comparison at all, and nobody.
      expect(await match('sk_unknown')).toBeUndefined();
      expect(compares).toBe(2);
    });
  }

  it('does not hash or look up a key longer than any key can be', async () => {
    let compares = 0;
    const long = 'k'.repeat(MAX_SECRET_KEY_LENGTH + 1);
    const match = createSecretKeyMatcher(new Map([[hashOf(long), 'long']]), {
      compare: () => {
        compares++;
        return true;
      },
    });
    expect(await match(long)).toBeUndefined();
    expect(await match('x'.repeat(100_000))).toBeUndefined();
    expect(compares).toBe(0);
  });
});
