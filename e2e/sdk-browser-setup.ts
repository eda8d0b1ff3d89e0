// The setup of the browser-SDK tests (Segment, RudderStack, Snowplow): real Chromium, a site
// serving one page with the vendor's bundled SDK, and the whole pipeline behind the collector.
import type { CollectorConfigInput } from '@sluice/collector';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from './browser.js';
import { bundleForBrowser, pageWithScript } from './sdk-bundle.js';
import { type SdkPipeline, startSdkPipeline } from './sdk-pipeline.js';
import { startSite } from './site-server.js';

export interface SdkInBrowser {
  browser: Browser;
  pipeline: SdkPipeline;
  site: Awaited<ReturnType<typeof startSite>>;
}

/**
 * Starts all of it before the file's tests and closes it after; the fields are set once
 * `beforeAll` ran. `sources` get the site's origin to allow.
 */
export function useSdkInBrowser(options: {
  /** Module source whose exports the page gets on `window[globalName]`. */
  sdk: string;
  globalName: string;
  sources: (siteOrigin: string) => NonNullable<CollectorConfigInput['sources']>;
  /** Where the site serves the page (default `/`). */
  path?: string;
}): SdkInBrowser {
  const env = {} as SdkInBrowser;
  const pages: Record<string, string> = {};
  beforeAll(async () => {
    env.browser = await launchChromium();
    env.site = await startSite(pages);
    env.pipeline = await startSdkPipeline({
      limits: { ipRate: null, ipEventRate: null, ipByteRate: null },
      sources: options.sources(env.site.origin),
    });
    pages[options.path ?? '/'] = pageWithScript(
      await bundleForBrowser(options.sdk, options.globalName),
    );
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.pipeline?.close();
    await env.site?.close();
  });
  return env;
}
