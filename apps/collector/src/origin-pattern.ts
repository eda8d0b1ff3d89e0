// Allowed origins: "*", an exact origin, or a wildcard subdomain such as
// "https://*.shop.example" (any host below shop.example, not shop.example itself).

/** Decides whether one browser Origin header value is allowed. */
export type OriginMatcher = (origin: string) => boolean;

const WILDCARD = /^(https?):\/\/\*\.([^*/:]+)(?::(\d{1,5}))?$/;

// A lower-case host of letters, digits and inner hyphens, without port, punycode ("xn--") or a
// numeric last label (which the URL parser reads as IPv4): canonical as written. Most origins
// of a large config look like this, and the URL parse costs more than the rest of a source's
// check (issue 24).
const LABEL = '(?!xn--)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?';
const PLAIN_ORIGIN = new RegExp(`^https?://(?:${LABEL}\\.)*(?!xn--)[a-z](?:[a-z0-9-]*[a-z0-9])?$`);

/**
 * Returns a reason the pattern is not valid, or undefined when it is. Used by the config
 * schema, so the reason is written for the person editing the config.
 */
export function checkOriginPattern(pattern: string): string | undefined {
  const advice =
    'an origin must be "*", exact like "https://shop.example" (scheme, host and port only, no path or trailing slash), or a wildcard subdomain like "https://*.shop.example"';
  if (pattern === '*' || PLAIN_ORIGIN.test(pattern)) return undefined;
  if (pattern.startsWith('*.')) return `${advice}; add the scheme: "https://${pattern}"`;
  const wildcard = WILDCARD.exec(pattern);
  if (wildcard) {
    // What stands after "*." must be a host (and port) in canonical form.
    const [, scheme, host, port] = wildcard;
    return isExactOrigin(`${scheme}://x.${host}${port ? `:${port}` : ''}`) ? undefined : advice;
  }
  return isExactOrigin(pattern) ? undefined : advice;
}

function isExactOrigin(value: string): boolean {
  // The URL parser accepts "*" in a host name; only the leading "*." of a wildcard is allowed.
  if (value.includes('*')) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}

/**
 * Compiles a list of valid patterns into one matcher: exact origins go into a set (one
 * lookup), wildcards are checked by scheme, port and host suffix.
 */
export function compileOriginPatterns(patterns: readonly string[]): OriginMatcher {
  if (patterns.includes('*')) return () => true;
  const exact = new Set<string>();
  const wildcards: { prefix: string; suffix: string }[] = [];
  for (const pattern of patterns) {
    // Most patterns of a large config are exact origins: no regex for them (issue 24).
    const wildcard = pattern.includes('*') ? WILDCARD.exec(pattern) : null;
    if (!wildcard) {
      exact.add(pattern);
      continue;
    }
    const [, scheme, host, port] = wildcard;
    wildcards.push({
      prefix: `${scheme}://`,
      suffix: `.${host!.toLowerCase()}${port ? `:${port}` : ''}`,
    });
  }
  return (origin) => {
    if (exact.has(origin)) return true;
    for (const { prefix, suffix } of wildcards) {
      if (
        origin.length > prefix.length + suffix.length &&
        origin.startsWith(prefix) &&
        origin.endsWith(suffix) &&
        isExactOrigin(origin)
      ) {
        return true;
      }
    }
    return false;
  };
}
