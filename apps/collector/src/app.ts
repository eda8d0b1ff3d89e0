import type { Queue } from '@sluice/queue';
import { Hono } from 'hono';
import { etag } from 'hono/etag';
import { createSourceLookup } from './auth.js';
import { addBatchRoute } from './batch-route.js';
import { type CollectorConfig, parseCollectorConfig } from './config.js';
import { collectorCors } from './cors.js';
import { DEMO_CSP, DEMO_SCRIPT, demoPage } from './demo-page.js';
import { CollectorError, errorResponse } from './errors.js';

/** How long browsers and CDNs may keep the tag before revalidating it (by ETag). */
export const TAG_MAX_AGE_SECONDS = 3600;

export interface CollectorDeps {
  queue: Queue;
  config: CollectorConfig;
  /** The server clock, ms since the epoch (default `Date.now`). */
  now?: () => number;
  /** The browser tag's source, served at `/s.js`. */
  tagScript?: string;
  /** Where unexpected failures (queue errors, bugs) are reported (default `console.error`). */
  logError?: (error: unknown) => void;
}

/**
 * Creates the collector: a Hono app on Web APIs only, so the same app runs on Node and on
 * edge runtimes. Throws at once if `config` is not valid.
 */
export function createCollectorApp(deps: CollectorDeps): Hono {
  const config = parseCollectorConfig(deps.config);
  const logError = deps.logError ?? ((error: unknown) => console.error(error));
  const app = new Hono();

  app.use('/v1/*', collectorCors(config));
  addBatchRoute(app, {
    queue: deps.queue,
    lookup: createSourceLookup(config),
    now: deps.now ?? Date.now,
    newId: () => crypto.randomUUID(),
    logError,
  });

  app.get('/s.js', etag(), (c) => {
    if (deps.tagScript === undefined) {
      throw new CollectorError(404, 'not_found', 'no tag script is configured');
    }
    c.header('Cache-Control', `public, max-age=${TAG_MAX_AGE_SECONDS}`);
    return c.body(deps.tagScript, 200, { 'Content-Type': 'application/javascript; charset=utf-8' });
  });
  app.get('/demo', (c) => {
    c.header('Content-Security-Policy', DEMO_CSP);
    return c.html(demoPage(config.sources[0]!.writeKeys[0]!));
  });
  app.get('/demo.js', (c) =>
    c.body(DEMO_SCRIPT, 200, { 'Content-Type': 'application/javascript; charset=utf-8' }),
  );
  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.notFound((c) =>
    errorResponse(
      c,
      new CollectorError(404, 'not_found', `no route for ${c.req.method} ${c.req.path}`),
    ),
  );
  app.onError((error, c) => {
    if (error instanceof CollectorError) return errorResponse(c, error);
    logError(error);
    return errorResponse(c, new CollectorError(500, 'internal_error', 'internal error'));
  });
  return app;
}
