// The hooks every tag test file registered alike: a fresh site and observed collector per
// test, one Chromium per file, all closed again after.
import { afterAll, afterEach, beforeEach } from 'vitest';
import {
  chromiumPool,
  type ObservedCollector,
  startObservedCollector,
  startTrackerSite,
} from './tracker-harness.js';

export type TrackerSite = Awaited<ReturnType<typeof startTrackerSite>>;

/** One test's site (its pages editable) and the collector the tag sends to. */
export interface TrackerTest {
  site: TrackerSite;
  collector: ObservedCollector;
}

/**
 * Registers the hooks and returns the file's Chromium pool. `started` gets each test's site
 * and collector once both run, before the test: the file keeps them and adds its pages.
 */
export function trackerTestSetup(
  started: (test: TrackerTest) => void | Promise<void>,
): ReturnType<typeof chromiumPool> {
  const browsers = chromiumPool();
  let test: TrackerTest | undefined;
  beforeEach(async () => {
    test = undefined;
    const site = await startTrackerSite({});
    test = { site, collector: await startObservedCollector(site.origin) };
    await started(test);
  });
  afterEach(async () => {
    await browsers.closeContexts();
    await test?.collector.close();
    await test?.site.close();
  });
  afterAll(() => browsers.close());
  return browsers;
}
