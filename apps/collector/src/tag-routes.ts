// The browser tag: `/s.js` with a short cache, for pages that name it without a version, and
// `/s.<version>.js` with a year of immutable cache, for pages that pin its bytes (and check
// them with the integrity hash). The neutral paths of the config are routed onto these.
import type { Hono } from 'hono';
import { etag } from 'hono/etag';
import { CollectorError } from './errors.js';
import { describeTagScript, TAG_VERSION_PATTERN, type TagScriptIdentity } from './tag-script.js';

/** How long browsers and CDNs may keep `/s.js` before revalidating it (by ETag). */
export const TAG_MAX_AGE_SECONDS = 3600;

/** A versioned URL always holds the same bytes: a year, never revalidated. */
export const VERSIONED_TAG_CACHE = 'public, max-age=31536000, immutable';

/** Hono's route for `/s.<version>.js` (a parameter is a whole path segment there). */
export const VERSIONED_TAG_ROUTE = `/:file{s\\.${TAG_VERSION_PATTERN}\\.js}`;

const SCRIPT_HEADERS = {
  'Content-Type': 'application/javascript; charset=utf-8',
  // A page on another origin may check the integrity hash (crossorigin="anonymous"): the tag
  // is public, and no credentials go with it.
  'Access-Control-Allow-Origin': '*',
  'X-Content-Type-Options': 'nosniff',
};

/** Adds `/s.js` and `/s.<version>.js`; both 404 when no tag script is configured. */
export function addTagRoutes(app: Hono, tagScript: string | undefined): void {
  const script = () => {
    if (tagScript === undefined) {
      throw new CollectorError(404, 'not_found', 'no tag script is configured');
    }
    return tagScript;
  };
  let identity: Promise<TagScriptIdentity> | undefined;

  app.get('/s.js', etag(), (c) => {
    const body = script();
    c.header('Cache-Control', `public, max-age=${TAG_MAX_AGE_SECONDS}`);
    return c.body(body, 200, SCRIPT_HEADERS);
  });
  app.get(VERSIONED_TAG_ROUTE, async (c) => {
    const body = script();
    identity ??= describeTagScript(body);
    const { version } = await identity;
    // Another version (a page older or newer than this collector's tag) must not be cached
    // for a year under its name with these bytes.
    if (c.req.param('file') !== `s.${version}.js`) {
      throw new CollectorError(
        404,
        'not_found',
        `this collector serves the tag as s.${version}.js`,
      );
    }
    c.header('Cache-Control', VERSIONED_TAG_CACHE);
    return c.body(body, 200, SCRIPT_HEADERS);
  });
}
