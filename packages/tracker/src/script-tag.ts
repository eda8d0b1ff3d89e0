import { createTracker } from './create-tracker.js';
import { safe } from './safe.js';
import type { Tracker } from './types.js';

/** The global `sluice`: `sluice('track', 'Signed Up')` and `sluice.track('Signed Up')` alike. */
export type SluiceGlobal = ((method: keyof Tracker, ...args: unknown[]) => void) & Tracker;

/** The snippet's stand-in, which queues its calls' `arguments` until the tag loads. */
type SluiceStub = { q?: ArrayLike<unknown>[]; track?: unknown };

/** Where the global lives: `window` in the tag. */
export type SluiceHost = { sluice?: SluiceStub | SluiceGlobal };

/**
 * Starts the tag from its own script element: `data-key` (required), `data-endpoint` (default:
 * the script's origin), `data-auto-pageview="false"` to skip the page view on load. Installs
 * `target.sluice` and replays the calls queued by the snippet, in order, before that page view.
 */
export function startFromScript(script: HTMLScriptElement | null, target: SluiceHost): void {
  const data = script?.dataset;
  // A second copy of the tag on the same page must not count everything twice.
  if (!data?.key || target.sluice?.track) return;
  const tracker = createTracker({
    writeKey: data.key,
    endpoint: data.endpoint || new URL(script!.src, location.href).origin,
    autoPageview: false,
  });
  const queued = (target.sluice as SluiceStub | undefined)?.q || [];
  const methods = tracker as Record<string, (...args: unknown[]) => void>;
  const sluice: SluiceGlobal = Object.assign(
    safe((method: string, ...args: unknown[]) => methods[method]!(...args)),
    tracker,
  );
  target.sluice = sluice;
  for (const args of queued) sluice.apply(null, args as Parameters<SluiceGlobal>);
  if (data.autoPageview !== 'false') tracker.page();
}
