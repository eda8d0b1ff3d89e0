import { describe, expect, it } from 'vitest';
import {
  addressOfForwardedEntry,
  clientIpFromForwardedFor,
  describeClientAddress,
} from './client-ip.js';

describe('describeClientAddress', () => {
  it('rate-limits an IPv4 client by its address and an IPv6 client by its /64', () => {
    expect(describeClientAddress('203.0.113.77')).toEqual({
      anonymized: '203.0.113.0',
      rateKey: '203.0.113.77',
    });
    const a = describeClientAddress('2001:db8:abcd:12:1:2:3:4');
    const b = describeClientAddress('2001:db8:abcd:12:ffff::9');
    expect(a?.anonymized).toBe('2001:db8:abcd::');
    expect(a?.rateKey).toBe('2001:db8:abcd:12::');
    expect(b?.rateKey).toBe(a?.rateKey);
    expect(describeClientAddress(undefined)).toBeUndefined();
    expect(describeClientAddress('garbage')).toBeUndefined();
  });

  it('describes each address right when requests from different addresses alternate', () => {
    // The last address is remembered: a change of address must not get the old answer.
    for (let round = 0; round < 2; round++) {
      expect(describeClientAddress('198.51.100.9')?.rateKey).toBe('198.51.100.9');
      expect(describeClientAddress('198.51.100.9')?.rateKey).toBe('198.51.100.9');
      expect(describeClientAddress('garbage')).toBeUndefined();
      expect(describeClientAddress('::ffff:192.0.2.4')?.anonymized).toBe('192.0.2.0');
      expect(describeClientAddress('198.51.100.10')?.rateKey).toBe('198.51.100.10');
    }
  });
});

describe('clientIpFromForwardedFor', () => {
  it('takes the entry the trusted proxies vouch for, not what the client wrote', () => {
    const header = '6.6.6.6, 198.51.100.7, 10.0.0.2';
    // One proxy: it appended the address it saw (10.0.0.2); "6.6.6.6" came from the client.
    expect(clientIpFromForwardedFor(header, 1)).toBe('10.0.0.2');
    expect(clientIpFromForwardedFor(header, 2)).toBe('198.51.100.7');
    expect(clientIpFromForwardedFor(header, 5)).toBe('6.6.6.6');
  });

  it('ignores the header when no proxy is trusted, or when it is missing', () => {
    expect(clientIpFromForwardedFor('6.6.6.6', 0)).toBeUndefined();
    expect(clientIpFromForwardedFor(undefined, 1)).toBeUndefined();
  });

  it('reads the address of an entry with a port or brackets, as proxies write them', () => {
    expect(clientIpFromForwardedFor('198.51.100.7:4567', 1)).toBe('198.51.100.7');
    expect(clientIpFromForwardedFor('6.6.6.6, [2001:db8::7]:443', 1)).toBe('2001:db8::7');
    expect(addressOfForwardedEntry(' [2001:db8::7] ')).toBe('2001:db8::7');
    expect(addressOfForwardedEntry('2001:db8::7')).toBe('2001:db8::7');
  });

  it('gives nothing for an entry that is not an address, so the socket address is used', () => {
    for (const entry of ['unknown', '_hidden', 'proxy.example', '1.2.3', '[1.2.3.4', '1.2.3.4:x']) {
      expect(clientIpFromForwardedFor(entry, 1)).toBeUndefined();
    }
  });
});
