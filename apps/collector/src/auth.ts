import { auth as parseBasicAuth } from 'hono/utils/basic-auth';
import type { CollectorConfig, SourceConfig } from './config.js';
import { CollectorError } from './errors.js';

/** Finds the source a write key belongs to. */
export type SourceLookup = (writeKey: string) => SourceConfig | undefined;

/**
 * Indexes the configured write keys. Write keys are public (they sit in web pages), so a
 * plain map lookup is fine; secret keys will need a constant-time comparison.
 */
export function createSourceLookup(config: CollectorConfig): SourceLookup {
  const byKey = new Map<string, SourceConfig>();
  for (const source of config.sources) {
    for (const key of source.writeKeys) byKey.set(key, source);
  }
  return (writeKey) => byKey.get(writeKey);
}

/**
 * Reads the write key from the body's `writeKey` (browsers: sendBeacon cannot set headers)
 * or from HTTP Basic auth with the key as user name (Segment's server SDKs).
 */
export function readWriteKey(body: Record<string, unknown>, request: Request): string {
  const fromBody = body.writeKey;
  if (fromBody !== undefined && typeof fromBody !== 'string') {
    throw new CollectorError(400, 'invalid_batch', 'writeKey must be a string', {
      path: 'writeKey',
    });
  }
  const fromHeader = parseBasicAuth(request)?.username;
  if (request.headers.has('authorization') && fromHeader === undefined) {
    throw new CollectorError(
      401,
      'unauthorized',
      'the Authorization header is not valid Basic auth',
    );
  }
  if (fromBody && fromHeader && fromBody !== fromHeader) {
    throw new CollectorError(401, 'unauthorized', 'writeKey and Basic auth name different keys');
  }
  const key = fromBody || fromHeader;
  if (!key) {
    throw new CollectorError(
      401,
      'unauthorized',
      'a write key is required: send "writeKey" in the body or use Basic auth with the key as user name',
    );
  }
  return key;
}

/** True when a source accepts requests from this origin (exact match, or "*"). */
export function isOriginAllowed(source: SourceConfig, origin: string): boolean {
  return source.allowedOrigins.includes('*') || source.allowedOrigins.includes(origin);
}

/**
 * Finds the request's source and checks its Origin. Requests without an Origin header
 * (servers, apps) are accepted on the key alone; a browser's Origin must be allowed.
 */
export function authenticate(
  lookup: SourceLookup,
  writeKey: string,
  origin: string | undefined,
): SourceConfig {
  const source = lookup(writeKey);
  if (!source) throw new CollectorError(401, 'unauthorized', 'unknown write key');
  if (origin !== undefined && !isOriginAllowed(source, origin)) {
    throw new CollectorError(
      403,
      'origin_not_allowed',
      `origin ${origin} is not allowed for this source; add it to the source's allowedOrigins`,
    );
  }
  return source;
}
