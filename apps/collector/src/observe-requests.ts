import type { Context, MiddlewareHandler } from 'hono';
import { anonymizeIp } from './client-ip.js';
import { CollectorError } from './errors.js';
import type { CollectorLogger, CollectorObserver } from './observe.js';

/** A route label with bounded values: the matched pattern, never the raw path. */
function routeLabel(c: Context): string {
  const path = c.req.routePath;
  if (!path.includes('*')) return path;
  return c.req.method === 'OPTIONS' ? 'preflight' : 'unmatched';
}

/**
 * Reports every request to the observer (route, status, duration, error code) and logs
 * refused ones at debug level, with the client address anonymized.
 */
export function observeRequests(deps: {
  observer: CollectorObserver | undefined;
  logger: CollectorLogger;
  clientIp: ((c: Context) => string | undefined) | undefined;
}): MiddlewareHandler {
  const { observer, logger, clientIp } = deps;
  return async (c, next) => {
    const start = performance.now();
    await next();
    const status = c.res.status;
    const route = routeLabel(c);
    const code =
      c.error instanceof CollectorError
        ? c.error.code
        : status === 404
          ? 'not_found'
          : status >= 500
            ? 'internal_error'
            : undefined;
    observer?.requestFinished({
      route,
      method: c.req.method,
      status,
      seconds: (performance.now() - start) / 1000,
      ...(code ? { code } : {}),
    });
    if (code) {
      const raw = clientIp?.(c);
      const ip = raw === undefined ? undefined : anonymizeIp(raw);
      // A JSON parse message quotes the body, which may hold a key: it stays out of the logs.
      const message =
        c.error instanceof Error && code !== 'invalid_json' ? c.error.message : undefined;
      logger.debug({ route, method: c.req.method, status, code, ip, message }, 'request refused');
    }
  };
}
