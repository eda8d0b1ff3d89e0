// The e2e project's global setup: the entries its tests start as processes, bundled once.
import { bundleEntries } from './entry-bundles.js';

/** vitest runs this once before the first e2e file and what it returns after the last. */
export function setup(): Promise<() => Promise<void>> {
  return bundleEntries();
}
