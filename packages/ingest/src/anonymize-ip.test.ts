import { describe, expect, it } from 'vitest';
import { anonymizeIp } from './anonymize-ip.js';

describe('anonymizeIp', () => {
  it('keeps the /24 of an IPv4 address', () => {
    expect(anonymizeIp('203.0.113.77')).toBe('203.0.113.0');
  });

  it('treats an IPv4-mapped IPv6 address (a dual-stack socket) as IPv4', () => {
    expect(anonymizeIp('::ffff:203.0.113.77')).toBe('203.0.113.0');
  });

  it('keeps the /48 of an IPv6 address, in any notation', () => {
    expect(anonymizeIp('2001:db8:abcd:12:1:2:3:4')).toBe('2001:db8:abcd::');
    expect(anonymizeIp('2001:DB8:ABCD:0012::1')).toBe('2001:db8:abcd::');
    expect(anonymizeIp('fe80::1%eth0')).toBe('fe80::');
  });

  it('gives nothing for what is not an address', () => {
    expect(anonymizeIp('unknown')).toBeUndefined();
    expect(anonymizeIp('1.2.3')).toBeUndefined();
    expect(anonymizeIp('')).toBeUndefined();
  });
});
