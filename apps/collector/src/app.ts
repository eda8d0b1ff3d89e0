import { createUserAgentCache, type GeoLocation, type LocateIp } from '@sluice/ingest';
import type { QueueProducer } from '@sluice/queue';
import { type Context, Hono } from 'hono';
import { getPath } from 'hono/utils/url';
import { createSourceDirectory } from './auth.js';
import { describeClientAddress } from './client-ip.js';
import { type CollectorConfigInput, parseCollectorConfig } from './config.js';
import { compileSourcePlans } from './config-plan.js';
import { collectorCors } from './cors.js';
import { CollectorError, errorResponse } from './errors.js';
import type { LiveView } from './live/live-view.js';
import { neutralPathRewriter } from './neutral-paths.js';
import { type CollectorLogger, type CollectorObserver, consoleErrorLogger } from './observe.js';
import { observeRequests } from './observe-requests.js';
import { buildOpenApiDocument } from './openapi.js';
import { addPageRoutes } from './page-routes.js';
import { createRecentIds } from './recent-ids.js';
import { createRequestLimits } from './request-limits.js';
import { addSdkSettingsRoutes } from './sdk-settings-routes.js';
import { addSnowplowRoutes, SNOWPLOW_PIXEL_PATH } from './snowplow-routes.js';
import type { UsageCounters } from './source-usage.js';
import { addTrackingRoutes, type TrackingDeps } from './tracking-routes.js';

export { TAG_MAX_AGE_SECONDS } from './page-routes.js';

export interface CollectorDeps {
  queue: QueueProducer;
  /** The configuration, as written or already parsed; it is validated again here. */
  config: CollectorConfigInput;
  /** The server clock, ms since the epoch (default `Date.now`). */
  now?: () => number;
  /** The browser tag's source, served at `/s.js`, `/s.<version>.js` and the config's `paths`. */
  tagScript?: string;
  /**
   * The client's IP address as the runtime knows it: on Node the socket or a trusted proxy's
   * X-Forwarded-For, on Workers CF-Connecting-IP. Only its anonymized form is kept or
   * logged. Without it there is no per-IP rate limit and no `context.ip`.
   */
  clientIp?: (c: Context) => string | undefined;
  /**
   * Finds a raw address's location (Node: the DB-IP database) for sources with `enrich.geo`:
   * the request's address (from `clientIp`) and addresses events send in `context.ip`.
   */
  locateIp?: LocateIp;
  /** The request's location as the runtime knows it (Workers: `request.cf`); wins over `locateIp`. */
  clientLocation?: (c: Context) => GeoLocation | undefined;
  /** Counts and timings (the Node entry point feeds Prometheus with them). */
  observer?: CollectorObserver;
  /** Structured logs (pino on Node). Without it, only unexpected failures are reported. */
  logger?: CollectorLogger;
  /** Where unexpected failures are reported when there is no `logger` (default `console.error`). */
  logError?: (error: unknown) => void;
  /** Serves `GET /metrics` with what it returns (Prometheus text on Node). */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** `/readyz` answers 503 while this returns false (e.g. while the process shuts down). */
  isReady?: () => boolean;
  /**
   * `/readyz` answers 503 with this reason while it returns one: e.g. the forwarder of the same
   * process cannot forward, so accepted events would only pile up.
   */
  notReady?: () => string | undefined;
  /** The live event view at `/live` (Node creates it when the config has an `admin` section). */
  liveView?: LiveView;
  /** Events and bytes per source, and their quotas (kept across reloads by whoever reloads). */
  usage?: UsageCounters;
  /** SHA-256 for secret keys (default Web Crypto's; Node passes node:crypto's, faster). */
  sha256?: (text: string) => Uint8Array;
}

/** The request's location from its raw address: looked up before only the cut one is kept. */
function locateClient(
  clientIp: CollectorDeps['clientIp'],
  locateIp: LocateIp | undefined,
): ((c: Context) => GeoLocation | undefined) | undefined {
  if (!clientIp || !locateIp) return undefined;
  return (c) => {
    const raw = clientIp(c);
    return raw === undefined ? undefined : locateIp(raw);
  };
}

/**
 * Creates the collector: a Hono app on Web APIs only, so the same app runs on Node and on
 * edge runtimes. Throws at once if `config` is not valid.
 */
export function createCollectorApp(deps: CollectorDeps): Hono {
  const config = parseCollectorConfig(deps.config);
  const now = deps.now ?? Date.now;
  const logger = deps.logger ?? consoleErrorLogger(deps.logError ?? console.error);
  const directory = createSourceDirectory(config, { sha256: deps.sha256 });
  const routePath = neutralPathRewriter(config.paths);
  const app = new Hono({ getPath: (request) => routePath(getPath(request)) });
  // Until then the queue said it is full or failing: not ready for more traffic.
  let refusingUntilMs = 0;
  // The live view watches acknowledged appends and finished requests; it changes neither.
  const live = deps.liveView;
  const queue = live ? live.feed.tapQueue(deps.queue) : deps.queue;
  const observer = live ? live.feed.observe(deps.observer) : deps.observer;

  if (observer || deps.logger) {
    app.use('*', observeRequests({ observer, logger, clientIp: deps.clientIp }));
  }
  const cors = collectorCors(directory);
  app.use('/v1/*', cors);
  app.use('/com.snowplowanalytics.snowplow/*', cors);
  app.use(SNOWPLOW_PIXEL_PATH, cors);
  // One set of per-IP buckets for every route a client can hit: events and the live view.
  const limits = createRequestLimits(config, now(), deps.usage);
  const clientAddress = (c: Context) => describeClientAddress(deps.clientIp?.(c));
  const tracking: TrackingDeps = {
    queue,
    config,
    directory,
    limits,
    now,
    newId: () => crypto.randomUUID(),
    clientAddress,
    describeUserAgent: createUserAgentCache(),
    clientLocation: deps.clientLocation ?? locateClient(deps.clientIp, deps.locateIp),
    locateIp: deps.locateIp,
    plans: compileSourcePlans(config.sources),
    logger,
    observer,
    // Only where something counts them.
    recentIds: observer ? createRecentIds() : undefined,
    onQueueRefused: (seconds) => {
      refusingUntilMs = now() + seconds * 1000;
    },
  };
  addTrackingRoutes(app, tracking);
  addSnowplowRoutes(app, tracking);
  addSdkSettingsRoutes(app, { directory, cors });
  addPageRoutes(app, { config, tagScript: deps.tagScript });
  if (live) {
    // Before any live route reads a header or a body, like the tracking routes.
    app.use('/live/*', async (c, next) => {
      limits.checkClient(clientAddress(c), now());
      await next();
    });
    live.addRoutes(app, { clientAddress, trustProxy: config.trustProxy });
  }

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', (c) => {
    if (deps.isReady && !deps.isReady()) {
      return c.json({ status: 'not_ready', reason: 'shutting down' }, 503);
    }
    const reason = deps.notReady?.();
    if (reason !== undefined) return c.json({ status: 'not_ready', reason }, 503);
    if (now() < refusingUntilMs) {
      return c.json({ status: 'not_ready', reason: 'the queue is refusing events' }, 503);
    }
    return c.json({ status: 'ready' });
  });
  let openApi: string | undefined;
  app.get('/openapi.json', (c) => {
    openApi ??= JSON.stringify(buildOpenApiDocument(config, deps.metrics !== undefined));
    return c.body(openApi, 200, { 'Content-Type': 'application/json' });
  });
  if (deps.metrics) {
    const metrics = deps.metrics;
    app.get('/metrics', async (c) => {
      const { contentType, body } = await metrics();
      return c.body(body, 200, { 'Content-Type': contentType });
    });
  }

  app.notFound((c) =>
    errorResponse(
      c,
      new CollectorError(404, 'not_found', `no route for ${c.req.method} ${c.req.path}`),
    ),
  );
  app.onError((error, c) => {
    if (error instanceof CollectorError) return errorResponse(c, error);
    logger.error({ err: error, route: c.req.routePath }, 'unexpected failure: answered 500');
    return errorResponse(c, new CollectorError(500, 'internal_error', 'internal error'));
  });
  return app;
}
