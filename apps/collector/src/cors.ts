import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { isOriginAllowed } from './auth.js';
import type { CollectorConfig } from './config.js';

/** How long browsers may cache a preflight answer (Chromium caps it at 2 hours). */
export const PREFLIGHT_MAX_AGE_SECONDS = 7200;

/**
 * CORS for the ingest routes. A preflight carries no write key, so an origin is allowed
 * here when any source allows it; the handler then checks it against the request's own
 * source. The exact origin is reflected, never "*": sendBeacon sends credentials.
 */
export function collectorCors(config: CollectorConfig): MiddlewareHandler {
  const allowedBySomeSource = (origin: string): boolean =>
    config.sources.some((source) => isOriginAllowed(source, origin));
  return cors({
    origin: (origin) => (origin && allowedBySomeSource(origin) ? origin : null),
    allowMethods: ['POST', 'OPTIONS'],
    allowHeaders: ['Content-Type', 'Authorization'],
    maxAge: PREFLIGHT_MAX_AGE_SECONDS,
    credentials: true,
  });
}
