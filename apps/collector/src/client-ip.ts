// The client's IP address as the collector keeps it: anonymized (by @sluice/ingest) before
// it is stored or logged, and reduced to a rate-limit key.
import { anonymizeAddress, maskedIpv6, parseIpAddress } from '@sluice/ingest';

export { anonymizeIp } from '@sluice/ingest';

type Ipv6 = Parameters<typeof maskedIpv6>[0];

/** What the collector keeps of a client address. The raw address is never kept. */
export interface ClientAddress {
  /** IPv4 cut to its /24, IPv6 to its /48: stored as `context.ip`, safe to log. */
  anonymized: string;
  /** Identifies one client for rate limits: the IPv4 address, or the IPv6 /64 (one subscriber). */
  rateKey: string;
}

/** Parses a client address once into what the collector uses of it. */
export function describeClientAddress(raw: string | undefined): ClientAddress | undefined {
  if (raw === undefined) return undefined;
  // A keep-alive connection sends request after request from one address: parsing it with
  // ipaddr.js took about 1 % of the collector's time, remembering the last one takes nothing.
  if (raw === lastRaw) return lastDescribed;
  lastDescribed = describe(raw);
  lastRaw = raw;
  return lastDescribed;
}

let lastRaw: string | undefined;
let lastDescribed: ClientAddress | undefined;

function describe(raw: string): ClientAddress | undefined {
  const address = parseIpAddress(raw);
  if (!address) return undefined;
  const rateKey = address.kind() === 'ipv4' ? address.toString() : maskedIpv6(address as Ipv6, 4);
  return { anonymized: anonymizeAddress(address), rateKey };
}

/**
 * The address in one X-Forwarded-For entry: proxies write `ip`, `ip:port`, `[ipv6]` or
 * `[ipv6]:port`. Anything else (`unknown`, an obfuscated id, a host name) is not an address.
 */
export function addressOfForwardedEntry(entry: string): string | undefined {
  const text = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  const candidate = bracketed
    ? bracketed[1]!
    : // One colon is IPv4 with a port; bare IPv6 has two or more.
      /^[\d.]+:\d{1,5}$/.test(text)
      ? text.slice(0, text.indexOf(':'))
      : text;
  return parseIpAddress(candidate) ? candidate : undefined;
}

/**
 * The client address from `X-Forwarded-For` when `trustedProxies` proxies stand in front:
 * each proxy appends the address it saw, so the client is the entry that many places from
 * the right; anything further left was written by the client and may be forged. When that
 * entry is not an address, undefined: the caller falls back to the socket's peer, so a
 * client cannot escape its per-IP limit by making the entry unparsable (an `ip:port` entry
 * once gave every request a key of its own).
 */
export function clientIpFromForwardedFor(
  header: string | undefined,
  trustedProxies: number,
): string | undefined {
  if (!header || trustedProxies < 1) return undefined;
  const hops = header.split(',');
  const entry = hops[Math.max(0, hops.length - trustedProxies)];
  return entry === undefined ? undefined : addressOfForwardedEntry(entry);
}
