import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { SourceDirectory } from './auth.js';

/** How long browsers may cache a preflight answer (Chromium caps it at 2 hours). */
export const PREFLIGHT_MAX_AGE_SECONDS = 7200;

/**
 * CORS for the ingest routes. A preflight carries no write key, so an origin is allowed
 * here when any source allows it; the handler then checks it against the request's own
 * source. The exact origin is reflected, never "*": sendBeacon sends credentials.
 * Retry-After is exposed so a page's script can honour a 429 or 503.
 */
export function collectorCors(directory: SourceDirectory): MiddlewareHandler {
  return cors({
    origin: (origin) => (origin && directory.anyAllowsOrigin(origin) ? origin : null),
    allowMethods: ['POST', 'OPTIONS'],
    allowHeaders: ['Content-Type', 'Authorization', 'Content-Encoding'],
    exposeHeaders: ['Retry-After'],
    maxAge: PREFLIGHT_MAX_AGE_SECONDS,
    credentials: true,
  });
}
