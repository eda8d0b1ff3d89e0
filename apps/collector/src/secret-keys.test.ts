import { describe, expect, it } from 'vitest';
import { createSecretKeyMatcher, generateSecretKey, hashSecretKey } from './secret-keys.js';
import { BACKEND_SECRET, BACKEND_SECRET_HASH } from './test-support.js';

describe('hashSecretKey', () => {
  it('gives the sha256: form the config stores (SHA-256 of the UTF-8 key, lower-case hex)', async () => {
    // sha256("abc"), a published test vector.
    expect(await hashSecretKey('abc')).toBe(
      'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(await hashSecretKey(BACKEND_SECRET)).toBe(BACKEND_SECRET_HASH);
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
    const match = createSecretKeyMatcher([
      { hash: await hashSecretKey('sk_one'), owner: 'one' },
      { hash: await hashSecretKey('sk_two'), owner: 'two' },
    ]);
    expect(await match('sk_two')).toBe('two');
    expect(await match('sk_one')).toBe('one');
    expect(await match('sk_three')).toBeUndefined();
    expect(await match('')).toBeUndefined();
    // The stored hash itself is not a key.
    expect(await match(await hashSecretKey('sk_one'))).toBeUndefined();
  });
});
