import { describe, expect, it } from 'vitest';
import { authenticate, createSourceLookup, readWriteKey } from './auth.js';
import { CollectorError } from './errors.js';
import { BLOG_KEY, SHOP_KEY, SHOP_ORIGIN, testConfig } from './test-support.js';

function request(headers: Record<string, string> = {}) {
  return new Request('http://collector.test/v1/batch', { method: 'POST', headers });
}

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof CollectorError) return `${error.status} ${error.code}`;
    throw error;
  }
  return 'accepted';
}

describe('readWriteKey', () => {
  it('takes the key from the body', () => {
    expect(readWriteKey({ writeKey: 'k1' }, request())).toBe('k1');
  });

  it('takes the key from the Basic auth user name, password empty', () => {
    const auth = { Authorization: `Basic ${btoa('k2:')}` };
    expect(readWriteKey({}, request(auth))).toBe('k2');
  });

  it('refuses a request without a key, or with two different ones', () => {
    expect(refusal(() => readWriteKey({}, request()))).toBe('401 unauthorized');
    const auth = { Authorization: `Basic ${btoa('k2:')}` };
    expect(refusal(() => readWriteKey({ writeKey: 'k1' }, request(auth)))).toBe('401 unauthorized');
    expect(refusal(() => readWriteKey({ writeKey: 7 }, request()))).toBe('400 invalid_batch');
  });
});

describe('authenticate', () => {
  const lookup = createSourceLookup(testConfig);

  it('finds the source of a key and accepts requests without an Origin', () => {
    expect(authenticate(lookup, BLOG_KEY, undefined).id).toBe('blog');
    expect(authenticate(lookup, SHOP_KEY, SHOP_ORIGIN).id).toBe('shop');
  });

  it('refuses unknown keys (401) and origins the source does not allow (403)', () => {
    expect(refusal(() => authenticate(lookup, 'nope', undefined))).toBe('401 unauthorized');
    expect(refusal(() => authenticate(lookup, BLOG_KEY, SHOP_ORIGIN))).toBe(
      '403 origin_not_allowed',
    );
    expect(refusal(() => authenticate(lookup, SHOP_KEY, 'null'))).toBe('403 origin_not_allowed');
  });
});
