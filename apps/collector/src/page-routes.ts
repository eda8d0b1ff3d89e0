import type { Hono } from 'hono';
import type { CollectorConfig } from './config.js';
import { DEMO_CSP, DEMO_SCRIPT, demoPage } from './demo-page.js';
import { CollectorError } from './errors.js';

import { addTagRoutes } from './tag-routes.js';

export { TAG_MAX_AGE_SECONDS } from './tag-routes.js';

/** Adds the tag (tag-routes.ts) and the demo page that loads it (`/demo`, `/demo.js`). */
export function addPageRoutes(
  app: Hono,
  deps: { config: CollectorConfig; tagScript: string | undefined },
): void {
  const { tagScript } = deps;
  // The demo needs a public key; server-only sources have none.
  const demoKey = deps.config.sources.find((source) => source.writeKeys.length > 0)?.writeKeys[0];

  addTagRoutes(app, tagScript);
  app.get('/demo', (c) => {
    if (demoKey === undefined) {
      throw new CollectorError(404, 'not_found', 'no source has a write key for the demo');
    }
    c.header('Content-Security-Policy', DEMO_CSP);
    return c.html(demoPage(demoKey));
  });
  app.get('/demo.js', (c) =>
    c.body(DEMO_SCRIPT, 200, { 'Content-Type': 'application/javascript; charset=utf-8' }),
  );
}
