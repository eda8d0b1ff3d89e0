// What the browser SDKs of other vendors fetch before they send anything, answered from the
// config so they load from sluice alone: Segment analytics.js's CDN settings. Both name their
// source by its write key, a public key: nothing secret is in the answer.
import type { Context, Hono } from 'hono';
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

/** Adds `GET /v1/projects/:writeKey/settings` (analytics.js, analytics-next). */
export function addSdkSettingsRoutes(app: Hono, deps: { directory: SourceDirectory }): void {
  app.get('/v1/projects/:writeKey/settings', (c) => {
    const writeKey = c.req.param('writeKey');
    sourceOfWriteKey(deps.directory, writeKey, c.req.header('origin'));
    return settingsAnswer(c, segmentSettings(writeKey, c.req.url));
  });
}
