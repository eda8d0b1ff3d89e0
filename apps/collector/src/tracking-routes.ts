// The Segment HTTP Tracking API: POST /v1/batch and one route per event type. Every request
// takes the same path: limit, authenticate, read, validate, enrich, enqueue, answer.

import {
  type CompiledPlan,
  fromRudderStack,
  type GeoLocation,
  isMobileLibraryEvent,
  isRudderStackRequest,
  type LocateIp,
  segmentBatch,
  segmentSingleEvent,
  type UserAgentFacts,
} from '@sluice/ingest';
import type { QueueProducer } from '@sluice/queue';
import { type BatchRequest, EVENT_TYPES, type EventType } from '@sluice/schema';
import type { Context, Hono } from 'hono';
import {
  type Authenticated,
  authenticateBody,
  authenticateHeader,
  checkOrigin,
  type SourceDirectory,
} from './auth.js';
import type { ClientAddress } from './client-ip.js';
import type { CollectorConfig } from './config.js';
import { batchAnswer, checkSourceRequestBytes, ingestAndEnqueue } from './enqueue-batch.js';
import { CollectorError } from './errors.js';
import type { CollectorLogger, CollectorObserver } from './observe.js';
import type { RecentIds } from './recent-ids.js';
import { checkContentEncoding, checkContentType, parseJsonBody, readBody } from './request-body.js';
import type { RequestLimits } from './request-limits.js';
import { deliveryTransport } from './request-transport.js';

export { type BatchResponse, QUEUE_RETRY_AFTER_SECONDS } from './enqueue-batch.js';

/** The paths of the Segment API, as `type → path`. */
export const TRACKING_PATHS: Readonly<Record<'batch' | EventType, string>> = Object.fromEntries(
  ['batch', ...EVENT_TYPES].map((name) => [name, `/v1/${name}`]),
) as Record<'batch' | EventType, string>;

/**
 * The short paths Segment's own clients post to: analytics.js uses the first letter of the
 * type (`/v1/t`, `/v1/p`, ...), the mobile SDKs batch to `/v1/b`, and `/v1/import` is the
 * older name of the batch endpoint. Same handlers, so those SDKs work by changing the host.
 */
export const SEGMENT_SHORT_PATHS: Readonly<Record<string, 'batch' | EventType>> = {
  '/v1/b': 'batch',
  '/v1/import': 'batch',
  '/v1/t': 'track',
  '/v1/p': 'page',
  '/v1/s': 'screen',
  '/v1/i': 'identify',
  '/v1/g': 'group',
  '/v1/a': 'alias',
};

export interface TrackingDeps {
  queue: QueueProducer;
  config: CollectorConfig;
  directory: SourceDirectory;
  limits: RequestLimits;
  now: () => number;
  newId: () => string;
  /** The compiled tracking plan of each source that has one. */
  plans: ReadonlyMap<string, CompiledPlan>;
  clientAddress: (c: Context) => ClientAddress | undefined;
  describeUserAgent: (userAgent: string) => UserAgentFacts;
  /** The request's location from its raw address or the runtime (Cloudflare's `cf`). */
  clientLocation?: (c: Context) => GeoLocation | undefined;
  /** Looks up an address an event sends itself (Node's database; none on Workers). */
  locateIp?: LocateIp;
  logger: CollectorLogger;
  observer?: CollectorObserver;
  /** The acknowledged events' recent messageIds, to count resends (see recent-ids.ts). */
  recentIds?: RecentIds;
  /** Told when the queue refused events, so readiness can report it. */
  onQueueRefused: (retryAfterSeconds: number) => void;
}

/** A `/v1/batch` body as a batch (Segment's protocol), or a 400 naming what is wrong. */
function parseBatch(body: Record<string, unknown>): BatchRequest {
  const parsed = segmentBatch(body);
  if (parsed.ok) return parsed.batch;
  const { issues } = parsed;
  throw new CollectorError(
    400,
    'invalid_batch',
    issues.map((issue) => `${issue.path || '(body)'}: ${issue.message}`).join('; '),
    { path: issues[0]?.path ?? '' },
  );
}

/** Checks the sender's origin and its source's rate as soon as the source is known. */
function admit(deps: TrackingDeps, auth: Authenticated, origin: string | undefined, now: number) {
  checkOrigin(deps.directory, auth, origin);
  deps.limits.checkSource(auth.source, now);
}

/**
 * Whether the request comes from a client-side SDK (see the source's `side`): a browser (an
 * Origin, or a body writeKey without Authorization: the tag's sendBeacon) or a mobile SDK.
 */
function isClientSide(
  side: 'auto' | 'client' | 'server',
  request: { origin?: string; headerAuth: boolean; first?: Record<string, unknown> },
): boolean {
  if (side !== 'auto') return side === 'client';
  return request.origin !== undefined || !request.headerAuth || isMobileLibraryEvent(request.first);
}

async function receive(
  c: Context,
  deps: TrackingDeps,
  route: 'batch' | EventType,
  historical: boolean,
) {
  const receivedAtMs = deps.now();
  const address = deps.clientAddress(c);
  deps.limits.checkClient(address, receivedAtMs);
  checkContentType(c.req.header('content-type'));
  const gzip = checkContentEncoding(c.req.header('content-encoding'));
  const origin = c.req.header('origin');
  // Server SDKs authenticate by header: their source's limits apply before the body is read.
  const fromHeader = await authenticateHeader(deps.directory, c.req.raw);
  if (fromHeader) admit(deps, fromHeader, origin, receivedAtMs);
  const maxBytes = fromHeader?.source.limits.maxRequestBytes ?? deps.config.limits.maxRequestBytes;
  const bytes = await readBody(c.req.raw, { maxBytes, gzip });
  const body = parseJsonBody(bytes);
  const auth = authenticateBody(deps.directory, body.writeKey, fromHeader);
  const { source } = auth;
  if (!fromHeader) {
    admit(deps, auth, origin, receivedAtMs);
    checkSourceRequestBytes(source, bytes.length);
  }
  const segment = route === 'batch' ? parseBatch(body) : segmentSingleEvent(body, route);
  // RudderStack's SDKs post to the same paths: their differences are mapped in @sluice/ingest.
  const rudder = {
    anonymousId: c.req.header('anonymousid'),
    sentAt: c.req.header('sentat'),
    contentType: c.req.header('content-type'),
  };
  const batch = isRudderStackRequest(rudder, segment) ? fromRudderStack(segment, rudder) : segment;
  const volume = { events: batch.batch.length, bytes: bytes.length };
  deps.limits.checkVolume(address, source, volume, receivedAtMs);
  const clientSide = isClientSide(source.side, {
    origin,
    headerAuth: fromHeader !== undefined,
    first: batch.batch[0],
  });
  const result = await ingestAndEnqueue(deps, source, batch, {
    receivedAtMs,
    requiredType: route === 'batch' ? undefined : route,
    // A browser sends an Origin; a server SDK's User-Agent names the SDK, not a browser.
    userAgent: origin === undefined ? undefined : c.req.header('user-agent'),
    // As Segment: the connection's address is the user's only for client-side SDKs.
    ip: clientSide ? address?.anonymized : undefined,
    location: clientSide && source.enrich.geo ? deps.clientLocation?.(c) : undefined,
    // `/v1/import` and server-side sources send old events on purpose.
    keepPastTimestamps: historical || !clientSide,
    // How a browser or app sent it, for the delivery ledger; a server's request says nothing
    // of the user's delivery (Node's own fetch sends Fetch Metadata too).
    transport: clientSide ? deliveryTransport(c.req.url, c.req.raw.headers) : undefined,
  });
  return batchAnswer(c, result);
}

/** Adds `POST /v1/batch`, `POST /v1/{track,page,screen,identify,group,alias}` and the short paths. */
export function addTrackingRoutes(app: Hono, deps: TrackingDeps): void {
  const routes = [
    ...Object.entries(TRACKING_PATHS),
    ...Object.entries(SEGMENT_SHORT_PATHS).map(([path, route]) => [route, path]),
  ];
  for (const [route, path] of routes as Array<['batch' | EventType, string]>) {
    const historical = path === '/v1/import';
    app.post(path, (c) => receive(c, deps, route, historical));
    app.all(path, () => {
      throw new CollectorError(405, 'method_not_allowed', 'use POST', {
        headers: { Allow: 'POST' },
      });
    });
  }
}
