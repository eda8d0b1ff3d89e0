import { afterEach, describe, expect, it, vi } from 'vitest';
import { randomId } from './random-id.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('randomId', () => {
  it('makes 21 URL-safe characters, different every time', () => {
    const ids = Array.from({ length: 10_000 }, randomId);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{21}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('uses the whole alphabet', () => {
    const seen = new Set(Array.from({ length: 500 }, randomId).join(''));
    expect(seen.size).toBe(64);
  });

  it('still makes distinct ids without Web Crypto', () => {
    vi.stubGlobal('crypto', undefined);
    const ids = Array.from({ length: 1000 }, randomId);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{21}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
