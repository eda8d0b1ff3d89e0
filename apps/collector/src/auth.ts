import { auth as parseBasicAuth } from 'hono/utils/basic-auth';
import type { CollectorConfig, SourceConfig } from './config.js';
import { CollectorError } from './errors.js';
import { compileOriginPatterns, type OriginMatcher } from './origin-pattern.js';
import { createSecretKeyMatcher, type SecretKeyMatcherOptions } from './secret-keys.js';

/** Who sent a request, and with which kind of key. */
export interface Authenticated {
  source: SourceConfig;
  /** Write keys are public (browsers, SDKs): their requests get the Origin check. */
  by: 'writeKey' | 'secretKey' | 'snowplowAppId';
  /** The key as presented; compared with a `writeKey` in the body. */
  presented: string;
}

/** The configured sources, indexed by key and with their origin patterns compiled. */
export interface SourceDirectory {
  byWriteKey(key: string): SourceConfig | undefined;
  /** The source that lists this Snowplow app id (`aid`) in its `snowplowAppIds`. */
  bySnowplowAppId(appId: string): SourceConfig | undefined;
  bySecretKey(secret: string): Promise<SourceConfig | undefined>;
  allowsOrigin(source: SourceConfig, origin: string): boolean;
  /** True when some source allows the origin (CORS preflights carry no key). */
  anyAllowsOrigin(origin: string): boolean;
}

/**
 * Indexes the configured keys: write keys are public (they sit in web pages), so a plain map
 * lookup is fine; secret keys are looked up by their hash (see `createSecretKeyMatcher`).
 * Either costs the same with 1 source or 100,000. A source's origin patterns are compiled
 * the first time one of its requests carries an Origin, so idle sources cost no matcher.
 */
export function createSourceDirectory(
  config: CollectorConfig,
  options: { sha256?: SecretKeyMatcherOptions['digest'] } = {},
): SourceDirectory {
  const byKey = new Map<string, SourceConfig>();
  const byAppId = new Map<string, SourceConfig>();
  const origins = new Map<string, OriginMatcher>();
  const secrets = new Map<string, SourceConfig>();
  const allOrigins: string[] = [];
  // One pass, no object per source: this runs at start and on each reload, for every source.
  for (const source of config.sources) {
    for (const key of source.writeKeys) byKey.set(key, source);
    for (const appId of source.snowplowAppIds) byAppId.set(appId, source);
    for (const hash of source.secretKeys) secrets.set(hash, source);
    for (const origin of source.allowedOrigins) allOrigins.push(origin);
  }
  const matchSecret = createSecretKeyMatcher(secrets, { digest: options.sha256 });
  // Compiled on the first request with an Origin, not at start: at 100,000 sources it is a
  // set of 100,000 origins (~50 ms), which a collector of servers never needs.
  let anyOrigin: OriginMatcher | undefined;
  const anyAllowsOrigin = (origin: string): boolean => {
    anyOrigin ??= compileOriginPatterns(allOrigins);
    return anyOrigin(origin);
  };
  const originsOf = (source: SourceConfig): OriginMatcher => {
    let matcher = origins.get(source.id);
    if (!matcher) {
      matcher = compileOriginPatterns(source.allowedOrigins);
      origins.set(source.id, matcher);
    }
    return matcher;
  };
  return {
    byWriteKey: (key) => byKey.get(key),
    bySnowplowAppId: (appId) => byAppId.get(appId),
    bySecretKey: matchSecret,
    allowsOrigin: (source, origin) => originsOf(source)(origin),
    anyAllowsOrigin,
  };
}

function unauthorized(message: string): CollectorError {
  return new CollectorError(401, 'unauthorized', message);
}

/**
 * Authenticates by the Authorization header, before the body is read: HTTP Basic with a
 * write key (or a secret key) as user name, as Segment's SDKs send it, or `Bearer <secret
 * key>`. Undefined when the request has no Authorization header.
 */
export async function authenticateHeader(
  directory: SourceDirectory,
  request: Request,
): Promise<Authenticated | undefined> {
  const header = request.headers.get('authorization');
  if (header === null) return undefined;
  const bearer = /^Bearer +(\S+) *$/i.exec(header);
  if (bearer) {
    const source = await directory.bySecretKey(bearer[1]!);
    if (!source) throw unauthorized('unknown secret key');
    return { source, by: 'secretKey', presented: bearer[1]! };
  }
  const name = parseBasicAuth(request)?.username ?? basicUserWithoutColon(header);
  if (!name) {
    throw unauthorized(
      'the Authorization header must be Basic auth with the write key as user name, or Bearer with a secret key',
    );
  }
  const source = directory.byWriteKey(name);
  if (source) return { source, by: 'writeKey', presented: name };
  const owner = await directory.bySecretKey(name);
  if (owner) return { source: owner, by: 'secretKey', presented: name };
  throw unauthorized('unknown write key');
}

/**
 * The user name of `Basic base64(writeKey)` without the `:` that ends it: Segment's HTTP API
 * takes that form (and curl examples send it), which hono's parser refuses.
 */
function basicUserWithoutColon(header: string): string | undefined {
  const match = /^ *basic +([A-Za-z0-9+/]+=*) *$/i.exec(header);
  if (!match) return undefined;
  try {
    const decoded = atob(match[1]!);
    return /^[\x21-\x7e]+$/.test(decoded) && !decoded.includes(':') ? decoded : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Settles who sent the request once the body is parsed: a `writeKey` in the body (browsers:
 * sendBeacon cannot set headers) must name the same source as the Authorization header,
 * if both are given.
 */
export function authenticateBody(
  directory: SourceDirectory,
  bodyKey: unknown,
  fromHeader: Authenticated | undefined,
): Authenticated {
  if (bodyKey !== undefined && typeof bodyKey !== 'string') {
    throw new CollectorError(400, 'invalid_batch', 'writeKey must be a string', {
      path: 'writeKey',
    });
  }
  if (fromHeader) {
    if (
      bodyKey &&
      bodyKey !== fromHeader.presented &&
      directory.byWriteKey(bodyKey) !== fromHeader.source
    ) {
      throw unauthorized('writeKey and the Authorization header name different sources');
    }
    return fromHeader;
  }
  if (!bodyKey) {
    throw unauthorized(
      'a write key is required: send "writeKey" in the body or use Basic auth with the key as user name',
    );
  }
  const source = directory.byWriteKey(bodyKey);
  if (!source) throw unauthorized('unknown write key');
  return { source, by: 'writeKey', presented: bodyKey };
}

/**
 * Refuses (403) a browser Origin the source does not allow. Requests without an Origin
 * (servers, apps) pass on the key alone, and so do requests with a secret key.
 */
export function checkOrigin(
  directory: SourceDirectory,
  auth: Authenticated,
  origin: string | undefined,
): void {
  if (origin === undefined || auth.by === 'secretKey') return;
  if (!directory.allowsOrigin(auth.source, origin)) {
    throw new CollectorError(
      403,
      'origin_not_allowed',
      `origin ${origin} is not allowed for this source; add it to the source's allowedOrigins`,
    );
  }
}
