// What a user agent string says: browser, OS, device (ua-parser-js) and whether it is a
// bot (isbot). A page sends many events with one user agent, so answers are cached.
import { isbot } from 'isbot';
import { UAParser } from 'ua-parser-js';

/** The facts the collector adds to `context`; fields the parser did not find are left out. */
export interface UserAgentFacts {
  browser?: { name: string; version?: string };
  os?: { name: string; version?: string };
  device?: { type?: string; manufacturer?: string; model?: string };
  bot: boolean;
}

// Real user agents are under 300 characters; parsing a longer one costs time and tells nothing more.
const MAX_PARSED_LENGTH = 512;
const DEFAULT_CACHE_ENTRIES = 1_000;

function nameAndVersion(part: {
  name?: string;
  version?: string;
}): { name: string; version?: string } | undefined {
  if (!part.name) return undefined;
  return part.version ? { name: part.name, version: part.version } : { name: part.name };
}

/** Parses one user agent string (no cache). */
export function describeUserAgent(userAgent: string): UserAgentFacts {
  const ua = userAgent.slice(0, MAX_PARSED_LENGTH);
  const result = new UAParser(ua).getResult();
  const facts: UserAgentFacts = { bot: isbot(ua) };
  const browser = nameAndVersion(result.browser);
  if (browser) facts.browser = browser;
  const os = nameAndVersion(result.os);
  if (os) facts.os = os;
  const { type, vendor, model } = result.device;
  if (type || vendor || model) {
    facts.device = {};
    if (type) facts.device.type = type;
    if (vendor) facts.device.manufacturer = vendor;
    if (model) facts.device.model = model;
  }
  return facts;
}

/** A `describeUserAgent` that remembers the last `maxEntries` distinct user agents. */
export function createUserAgentCache(
  maxEntries = DEFAULT_CACHE_ENTRIES,
): (userAgent: string) => UserAgentFacts {
  const cache = new Map<string, UserAgentFacts>();
  return (userAgent) => {
    const key = userAgent.slice(0, MAX_PARSED_LENGTH);
    let facts = cache.get(key);
    if (facts) return facts;
    facts = describeUserAgent(key);
    // Map keeps insertion order: the first key is the oldest entry.
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
    cache.set(key, facts);
    return facts;
  };
}
