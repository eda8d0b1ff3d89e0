import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkOriginPattern, compileOriginPatterns } from './origin-pattern.js';

/** What an exact origin is: one the URL parser gives back unchanged as its origin. */
function isCanonicalOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}

describe('checkOriginPattern', () => {
  it('accepts an origin exactly when the URL parser gives it back unchanged', () => {
    // Hosts near the shortcut's edges: numeric last labels (IPv4), punycode, upper case,
    // hyphens at a label's ends, empty labels, ports, other schemes.
    const label = fc.oneof(
      fc.constantFrom('xn--', 'xn--80ak6aa92e', '0x1f', '08', '1', 'localhost', 'a-', '-a', ''),
      fc.string({ unit: fc.constantFrom(...'abxn019-_A'.split('')), maxLength: 6 }),
    );
    const origin = fc
      .tuple(
        fc.constantFrom('http://', 'https://', 'ftp://', 'HTTP://', 'https:/'),
        fc.array(label, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('', ':443', ':80', ':8080', ':0', ':65536', '/', '.'),
      )
      .map(([scheme, labels, end]) => `${scheme}${labels.join('.')}${end}`);
    fc.assert(
      fc.property(origin, (value) => {
        expect(checkOriginPattern(value) === undefined, value).toBe(isCanonicalOrigin(value));
      }),
      { numRuns: 5_000 },
    );
  });

  it.each([
    '*',
    'https://shop.example',
    'http://localhost:8080',
    'https://*.shop.example',
    'http://*.shop.example:8443',
  ])('accepts %s', (pattern) => {
    expect(checkOriginPattern(pattern)).toBeUndefined();
  });

  it.each([
    'https://shop.example/',
    'shop.example',
    'https://Shop.example',
    'https://shop.example:443',
    'ftp://shop.example',
    'https://*',
    'https://a.*.example',
    'https://*.shop.example/path',
    '*.shop.example',
  ])('refuses %s with advice', (pattern) => {
    expect(checkOriginPattern(pattern)).toMatch(/^an origin must be/);
  });

  it('tells a bare wildcard to add the scheme', () => {
    expect(checkOriginPattern('*.shop.example')).toContain('"https://*.shop.example"');
  });
});

describe('compileOriginPatterns', () => {
  const allows = compileOriginPatterns([
    'https://shop.example',
    'https://*.shop.example',
    'http://*.dev.example:8080',
  ]);

  it('allows exact origins and subdomains of a wildcard', () => {
    expect(allows('https://shop.example')).toBe(true);
    expect(allows('https://www.shop.example')).toBe(true);
    expect(allows('https://a.b.shop.example')).toBe(true);
    expect(allows('http://app.dev.example:8080')).toBe(true);
  });

  it('refuses other schemes, ports, look-alike hosts and the null origin', () => {
    expect(allows('http://www.shop.example')).toBe(false);
    expect(allows('https://www.shop.example:8443')).toBe(false);
    expect(allows('https://evilshop.example')).toBe(false);
    expect(allows('https://shop.example.evil.example')).toBe(false);
    expect(allows('http://app.dev.example')).toBe(false);
    expect(allows('https://x/.shop.example')).toBe(false);
    expect(allows('null')).toBe(false);
  });

  it('allows any origin with "*", and none with an empty list', () => {
    expect(compileOriginPatterns(['*'])('https://anything.example')).toBe(true);
    expect(compileOriginPatterns([])('https://shop.example')).toBe(false);
  });
});
