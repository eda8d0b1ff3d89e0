// What the browser SDKs of other vendors fetch before they send anything, answered from the
// config so they load from sluice alone: Segment analytics.js's CDN settings and RudderStack's
// JS SDK source config. Both name their
// source by its write key, a public key: nothing secret is in the answer.
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { auth as parseBasicAuth } from 'hono/utils/basic-auth';
import { checkOrigin, type SourceDirectory } from './auth.js';
import type { SourceConfig } from './config.js';
import { CollectorError } from './errors.js';

/** How long a browser may keep the settings (they change only with the config). */
export const SDK_SETTINGS_MAX_AGE_SECONDS = 300;

/** The source of a write key as the page presents it, with its Origin checked. */
export function sourceOfWriteKey(
  directory: SourceDirectory,
  writeKey: string | undefined,
  origin: string | undefined,
): SourceConfig {
  const source = writeKey ? directory.byWriteKey(writeKey) : undefined;
  if (!source || !writeKey) throw new CollectorError(404, 'not_found', 'unknown write key');
  checkOrigin(directory, { source, by: 'writeKey', presented: writeKey }, origin);
  return source;
}

/**
 * Segment's settings for analytics.js: only the Segment.io destination, which sends to this
 * collector (`apiHost` is the host the page reached the settings on, so `cdnURL` is the one
 * setting to change), no device-mode destinations, no plan rules, metrics off (they would
 * go to api.segment.io).
 */
export function segmentSettings(writeKey: string, requestUrl: string) {
  const url = new URL(requestUrl);
  return {
    integrations: {
      'Segment.io': {
        apiKey: writeKey,
        apiHost: `${url.host}/v1`,
        protocol: url.protocol.replace(':', ''),
        unbundledIntegrations: [],
        addBundledMetadata: false,
      },
    },
    plan: { track: { __default: { enabled: true, integrations: {} } } },
    edgeFunction: {},
    analyticsNextEnabled: true,
    middlewareSettings: {},
    enabledMiddleware: {},
    metrics: { sampleRate: 0 },
    legacyVideoPluginsEnabled: false,
    remotePlugins: [],
  };
}

function settingsAnswer(c: Context, body: unknown) {
  c.header('Cache-Control', `public, max-age=${SDK_SETTINGS_MAX_AGE_SECONDS}`);
  return c.json(body);
}

/**
 * RudderStack's source config: one enabled source with no destinations (device-mode
 * destinations would load vendors' scripts); the JS SDK sends nothing until it has it.
 */
export function rudderStackSourceConfig(source: SourceConfig, writeKey: string) {
  return {
    isHosted: false,
    source: {
      id: source.id,
      name: source.id,
      writeKey,
      enabled: true,
      workspaceId: 'sluice',
      config: {},
      destinations: [],
    },
  };
}

/**
 * Adds `GET /v1/projects/:writeKey/settings` (analytics.js, analytics-next) and
 * `GET /sourceConfig` (RudderStack's JS SDK: the write key as Basic auth user name, or the
 * `writeKey` query parameter), with `cors` on the latter (the former is under `/v1/`).
 */
export function addSdkSettingsRoutes(
  app: Hono,
  deps: { directory: SourceDirectory; cors: MiddlewareHandler },
): void {
  app.get('/v1/projects/:writeKey/settings', (c) => {
    const writeKey = c.req.param('writeKey');
    sourceOfWriteKey(deps.directory, writeKey, c.req.header('origin'));
    return settingsAnswer(c, segmentSettings(writeKey, c.req.url));
  });
  // The SDK asks for `/sourceConfig/?…`: both spellings.
  for (const path of ['/sourceConfig', '/sourceConfig/']) {
    app.use(path, deps.cors);
    app.get(path, (c) => {
      const writeKey = parseBasicAuth(c.req.raw)?.username || c.req.query('writeKey');
      const source = sourceOfWriteKey(deps.directory, writeKey, c.req.header('origin'));
      return settingsAnswer(c, rudderStackSourceConfig(source, writeKey as string));
    });
  }
}
