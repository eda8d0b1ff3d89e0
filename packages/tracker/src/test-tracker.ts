// Test helper (not part of the build): trackers against a fresh recording collector per test,
// quieted after it, on a page reset to `/` with empty localStorage.
import { afterEach, beforeEach, vi } from 'vitest';
import { createTracker } from './create-tracker.js';
import { startTestCollector, type TestCollector } from './test-collector.js';
import type { Tracker, TrackerOptions } from './types.js';

export const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/** Lets a tracker start: it listens and records its page view on load one task later. */
export const started = (): Promise<void> => sleep(5);

export type TrackerKit = {
  /** The current test's collector. */
  readonly collector: TestCollector;
  /** A tracker of this test's collector, quiet by default: no page view, no batch timer. */
  make(more?: Partial<TrackerOptions>): Tracker;
  /** Events the collector took (2xx) so far. */
  accepted(): Record<string, unknown>[];
  /** Waits until the collector took `count` events; returns them. */
  waitForEvents(count: number): Promise<Record<string, unknown>[]>;
  /** Sets `document.visibilityState` and fires visibilitychange, as a browser does. */
  setVisibility(state: DocumentVisibilityState): void;
};

/** Registers the hooks and returns the kit for one test file. */
export function useTrackerKit(): TrackerKit {
  let collector: TestCollector;
  const made: Tracker[] = [];
  beforeEach(async () => {
    collector = await startTestCollector();
    localStorage.clear();
    history.replaceState(null, '', '/');
  });
  afterEach(async () => {
    // Trackers of this test stop: opted out, they record, send and store nothing more, even
    // when a later test navigates or hides the page.
    for (const tracker of made.splice(0)) tracker.consent(false);
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
    Reflect.deleteProperty(document, 'visibilityState');
    Reflect.deleteProperty(document, 'hidden');
    await collector.close();
  });
  const kit: TrackerKit = {
    get collector() {
      return collector;
    },
    make(more = {}) {
      const tracker = createTracker({
        writeKey: 'wk_test',
        endpoint: collector.endpoint,
        flushInterval: 60_000,
        autoPageview: false,
        ...more,
      });
      made.push(tracker);
      return tracker;
    },
    accepted: () => collector.accepted(),
    async waitForEvents(count) {
      await collector.waitFor(() => collector.accepted().length >= count);
      return collector.accepted();
    },
    setVisibility(state) {
      Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
      Object.defineProperty(document, 'hidden', { value: state === 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
    },
  };
  return kit;
}
