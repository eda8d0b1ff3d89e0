// Snowplow's tracker protocol v2: `POST /com.snowplowanalytics.snowplow/tp2` (a payload_data
// body) and `GET /i` (the pixel, one event in the query string). Snowplow's trackers send no
// key: the source is the one whose `snowplowAppIds` lists the events' app id (`aid`), and its
// allowed origins are enforced as for a write key. Then the path of every request: limit,
// read, map (@sluice/ingest), validate, enrich, enqueue, answer.
import { fromSnowplow, snowplowAppId, snowplowPayload, snowplowQueryEvent } from '@sluice/ingest';
import type { Context, Hono } from 'hono';
import { type Authenticated, checkOrigin } from './auth.js';
import type { SourceConfig } from './config.js';
import { batchAnswer, checkSourceRequestBytes, ingestAndEnqueue } from './enqueue-batch.js';
import { CollectorError } from './errors.js';
import { checkContentEncoding, checkContentType, parseJsonBody, readBody } from './request-body.js';
import { requestTransport } from './request-transport.js';
import type { TrackingDeps } from './tracking-routes.js';

/** The path of Snowplow's POST endpoint (the trackers' default `postPath`). */
export const SNOWPLOW_POST_PATH = '/com.snowplowanalytics.snowplow/tp2';
/** The path of Snowplow's GET endpoint, the pixel. */
export const SNOWPLOW_PIXEL_PATH = '/i';

// A transparent 1×1 GIF, the answer Snowplow's collectors give on /i.
const PIXEL = Uint8Array.from(
  atob('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7'),
  (c) => c.charCodeAt(0),
);

type Fields = Record<string, unknown>;

/** The one source the events' app ids name, or a 401 naming the app id it does not know. */
function sourceByAppId(deps: TrackingDeps, events: Fields[]): Authenticated {
  let source: SourceConfig | undefined;
  let presented = '';
  for (const event of events) {
    const appId = snowplowAppId(event);
    if (appId === undefined) {
      throw new CollectorError(
        401,
        'unauthorized',
        'every Snowplow event needs an app id (aid): set appId in the tracker',
        { path: 'aid' },
      );
    }
    const owner = deps.directory.bySnowplowAppId(appId);
    if (owner === undefined) {
      throw new CollectorError(
        401,
        'unauthorized',
        `unknown Snowplow app id "${appId.slice(0, 64)}": add it to a source's snowplowAppIds`,
        { path: 'aid' },
      );
    }
    if (source !== undefined && owner !== source) {
      throw new CollectorError(
        401,
        'unauthorized',
        'the app ids of one request name different sources',
        {
          path: 'aid',
        },
      );
    }
    source = owner;
    presented = appId;
  }
  return { source: source as SourceConfig, by: 'snowplowAppId', presented };
}

/** The Origin, or for the pixel (an `<img>` sends none) the origin of the Referer. */
function senderOrigin(c: Context, pixel: boolean): string | undefined {
  const origin = c.req.header('origin');
  if (origin !== undefined || !pixel) return origin;
  const referer = c.req.header('referer');
  if (referer === undefined) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return undefined;
  }
}

async function ingestSnowplow(
  c: Context,
  deps: TrackingDeps,
  events: Fields[],
  bytes: number,
  receivedAtMs: number,
  pixel: boolean,
) {
  const address = deps.clientAddress(c);
  const auth = sourceByAppId(deps, events);
  const { source } = auth;
  const origin = senderOrigin(c, pixel);
  checkOrigin(deps.directory, auth, origin);
  deps.limits.checkSource(source, receivedAtMs);
  checkSourceRequestBytes(source, bytes);
  deps.limits.checkVolume(address, source, { events: events.length, bytes }, receivedAtMs);
  const { batch, issues } = fromSnowplow(events);
  // A browser shows itself by its Origin (or the pixel's Referer); `p=srv` is a server tracker.
  const browser = origin !== undefined || events[0]?.p === 'web';
  const clientSide = source.side === 'auto' ? events[0]?.p !== 'srv' : source.side === 'client';
  // The tracker's `serverAnonymization` asks that the connection's address not be used.
  const anonymous = c.req.header('sp-anonymous') !== undefined;
  return ingestAndEnqueue(deps, source, batch, {
    receivedAtMs,
    presetIssues: issues,
    userAgent: browser ? c.req.header('user-agent') : undefined,
    ip: clientSide && !anonymous ? address?.anonymized : undefined,
    location: clientSide && !anonymous && source.enrich.geo ? deps.clientLocation?.(c) : undefined,
    keepPastTimestamps: !clientSide,
    transport: requestTransport(c.req.raw.headers),
  });
}

async function receivePost(c: Context, deps: TrackingDeps) {
  const receivedAtMs = deps.now();
  deps.limits.checkClient(deps.clientAddress(c), receivedAtMs);
  checkContentType(c.req.header('content-type'));
  const gzip = checkContentEncoding(c.req.header('content-encoding'));
  const bytes = await readBody(c.req.raw, { maxBytes: deps.config.limits.maxRequestBytes, gzip });
  const payload = snowplowPayload(parseJsonBody(bytes));
  if (!payload.ok) {
    throw new CollectorError(
      400,
      'invalid_batch',
      `${payload.issue.path}: ${payload.issue.message}`,
      {
        path: payload.issue.path,
      },
    );
  }
  const result = await ingestSnowplow(c, deps, payload.events, bytes.length, receivedAtMs, false);
  return batchAnswer(c, result);
}

async function receivePixel(c: Context, deps: TrackingDeps) {
  const receivedAtMs = deps.now();
  deps.limits.checkClient(deps.clientAddress(c), receivedAtMs);
  const url = c.req.url;
  const at = url.indexOf('?');
  const query = new URLSearchParams(at < 0 ? '' : url.slice(at + 1));
  const event = snowplowQueryEvent(query);
  if (Object.keys(event).length === 0) {
    throw new CollectorError(
      400,
      'invalid_batch',
      'the pixel needs the event in its query string',
      {
        path: 'e',
      },
    );
  }
  // The query is the body here: its length counts against the limits.
  await ingestSnowplow(c, deps, [event], at < 0 ? 0 : url.length - at - 1, receivedAtMs, true);
  return c.body(PIXEL, 200, {
    'Content-Type': 'image/gif',
    'Cache-Control': 'no-cache, no-store, must-revalidate',
  });
}

/** Adds Snowplow's `POST /com.snowplowanalytics.snowplow/tp2` and `GET /i`. */
export function addSnowplowRoutes(app: Hono, deps: TrackingDeps): void {
  app.post(SNOWPLOW_POST_PATH, (c) => receivePost(c, deps));
  app.get(SNOWPLOW_PIXEL_PATH, (c) => receivePixel(c, deps));
  for (const [path, method] of [
    [SNOWPLOW_POST_PATH, 'POST'],
    [SNOWPLOW_PIXEL_PATH, 'GET'],
  ] as const) {
    app.all(path, () => {
      throw new CollectorError(405, 'method_not_allowed', `use ${method}`, {
        headers: { Allow: method },
      });
    });
  }
}
