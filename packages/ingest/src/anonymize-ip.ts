// Client addresses, anonymized before anything stores or logs them. ipaddr.js parses every
// textual form (IPv4-mapped IPv6, "::" shorthand, zone ids) without any runtime module, so
// this stays usable on edge runtimes.
import ipaddr from 'ipaddr.js';

/** A parsed address: IPv4, or IPv6 that is not IPv4-mapped. */
export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/** Parses an IP address as a peer or a header gives it; undefined when it is not one. */
export function parseIpAddress(raw: string): IpAddress | undefined {
  // Strip a zone id ("fe80::1%eth0"): it names an interface, not a host.
  const text = raw.trim().replace(/%.*$/, '');
  // Only dotted quads: ipaddr.js also takes legacy forms ("1.2.3", "0x7f.1") no peer sends.
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (!ipaddr.IPv6.isValid(text)) return undefined;
  // process() turns IPv4-mapped IPv6 ("::ffff:1.2.3.4", how Node reports IPv4 on a dual
  // stack socket) into plain IPv4.
  return ipaddr.process(text);
}

/** An IPv6 address with all but its first `keepParts` 16-bit parts zeroed, as text. */
export function maskedIpv6(address: ipaddr.IPv6, keepParts: number): string {
  const parts = address.parts.map((part, i) => (i < keepParts ? part : 0));
  return new ipaddr.IPv6(parts).toString();
}

/** A parsed address cut to its IPv4 /24 or IPv6 /48. */
export function anonymizeAddress(address: IpAddress): string {
  if (address.kind() === 'ipv4') {
    const [a, b, c] = (address as ipaddr.IPv4).octets;
    return `${a}.${b}.${c}.0`;
  }
  return maskedIpv6(address as ipaddr.IPv6, 3);
}

/** Anonymizes an address (IPv4 /24, IPv6 /48); undefined when it is not an IP address. */
export function anonymizeIp(raw: string): string | undefined {
  const address = parseIpAddress(raw);
  return address ? anonymizeAddress(address) : undefined;
}
