import type { MiddlewareHandler } from 'hono';
import type { SourceDirectory } from './auth.js';

/** How long browsers may cache a preflight answer (Chromium caps it at 2 hours). */
export const PREFLIGHT_MAX_AGE_SECONDS = 7200;

const ALLOW_METHODS = 'GET,POST,OPTIONS';
// `anonymousid` and `sentat`: RudderStack's JS SDK sends them on every event; `SP-Anonymous`:
// Snowplow's trackers with `serverAnonymization`.
const ALLOW_HEADERS = 'Content-Type,Authorization,Content-Encoding,AnonymousId,SentAt,SP-Anonymous';
const EXPOSE_HEADERS = 'Retry-After';

/**
 * CORS for the ingest routes. A preflight carries no write key, so an origin is allowed
 * here when any source allows it; the handler then checks it against the request's own
 * source. The exact origin is reflected, never "*": sendBeacon sends credentials.
 * Retry-After is exposed so a page's script can honour a 429 or 503.
 *
 * The same headers as hono's `cors()` with these options, written here because hono's sets
 * them on `c.res` before the handler runs: the handler's answer is then rebuilt around a
 * stream body, which @hono/node-server writes through a ReadableStream and a timer instead of
 * one `end()`. With it the collector answered about 1,500 requests/s of 10 events here;
 * setting the headers before the answer exists (`c.header`) keeps that fast path.
 */
export function collectorCors(directory: SourceDirectory): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (origin && directory.anyAllowsOrigin(origin)) {
      c.header('Access-Control-Allow-Origin', origin);
    }
    c.header('Access-Control-Allow-Credentials', 'true');
    c.header('Access-Control-Expose-Headers', EXPOSE_HEADERS);
    c.header('Vary', 'Origin', { append: true });
    if (c.req.method === 'OPTIONS') {
      c.header('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SECONDS));
      c.header('Access-Control-Allow-Methods', ALLOW_METHODS);
      c.header('Access-Control-Allow-Headers', ALLOW_HEADERS);
      c.header('Vary', 'Access-Control-Request-Headers', { append: true });
      return c.body(null, 204);
    }
    await next();
  };
}
