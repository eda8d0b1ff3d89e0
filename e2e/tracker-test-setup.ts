// The hooks every tag test file registered alike: a fresh site and observed collector per
// test, one Chromium per file, all closed again after.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeEach } from 'vitest';
import {
  chromiumPool,
  type ObservedCollector,
  startObservedCollector,
  startTrackerSite,
  tagLoaded,
} from './tracker-harness.js';

export type TrackerSite = Awaited<ReturnType<typeof startTrackerSite>>;

/** One test's site (its pages editable) and the collector the tag sends to. */
export interface TrackerTest {
  site: TrackerSite;
  collector: ObservedCollector;
}

/** What a tag test file works with: the running test's site and collector, and Chromium. */
export interface TrackerFile extends TrackerTest {
  /** A fresh browser context (a profile of its own), closed after the test. */
  context(): Promise<BrowserContext>;
  /** A new tab at the site's `path` (in `context`, else a fresh one), once the tag has loaded. */
  open(path?: string, context?: BrowserContext): Promise<Page>;
}

/**
 * Registers the hooks and returns the file's handle on each test's site, collector and
 * Chromium. `started` gets each test's site and collector once both run, before the test:
 * the file adds its pages there.
 */
export function trackerTestSetup(
  started: (test: TrackerTest) => void | Promise<void> = () => {},
): TrackerFile {
  const browsers = chromiumPool();
  let test: TrackerTest | undefined;
  // Outside a test there is no site: say so rather than hand out a closed one.
  const current = (): TrackerTest => {
    if (!test) throw new Error('trackerTestSetup: no test is running');
    return test;
  };
  beforeEach(async () => {
    test = undefined;
    const site = await startTrackerSite({});
    const running = { site, collector: await startObservedCollector(site.origin) };
    test = running;
    await started(running);
  });
  afterEach(async () => {
    await browsers.closeContexts();
    await test?.collector.close();
    await test?.site.close();
  });
  afterAll(() => browsers.close());
  return {
    get site() {
      return current().site;
    },
    get collector() {
      return current().collector;
    },
    context: () => browsers.context(),
    async open(path = '/', context?: BrowserContext) {
      const page = await (context ?? (await browsers.context())).newPage();
      await page.goto(`${current().site.origin}${path}`);
      await tagLoaded(page);
      return page;
    },
  };
}
