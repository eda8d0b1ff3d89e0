import { createTracker } from './create-tracker.js';
import type { Tracker, TrackerOptions } from './types.js';

/** The global `sluice`: `sluice('track', 'Signed Up')` and `sluice.track('Signed Up')` alike. */
export type SluiceGlobal = Tracker;

/**
 * The snippet's stand-in, which queues its calls' `arguments` until the tag loads, and may
 * carry options that data attributes cannot (`beforeSend`).
 */
type SluiceStub = { q?: ArrayLike<unknown>[]; options?: Partial<TrackerOptions>; track?: unknown };

/** Where the global lives: `window` in the tag. */
export type SluiceHost = { sluice?: SluiceStub | SluiceGlobal };

/**
 * Starts the tag from its own script element. `data-key` is required; `data-endpoint`
 * defaults to the script's folder (`https://site/a/x.js` sends to `https://site/a/v1/batch`, so a
 * collector served under a path prefix of the site's own domain needs no attribute); every other option of `createTracker` is a data attribute
 * too (`data-flush-at="10"`, `data-require-consent="true"`, `data-auto-pageview="false"`),
 * and `sluice.options` set by the snippet adds the rest. Installs `target.sluice` and replays
 * the calls queued by the snippet, in order, before the page view on load.
 */
export const startFromScript = (script: HTMLScriptElement | null, target: SluiceHost): void => {
  const data = script?.dataset;
  const stub = target.sluice as SluiceStub | undefined;
  // A second copy of the tag on the same page must not count everything twice.
  if (!data?.key || stub?.track) return;
  const options: Record<string, unknown> = { ...data };
  for (const name in data)
    try {
      options[name] = JSON.parse(data[name]!); // "false", "10"; URLs and other text stay text
    } catch {}
  // biome-ignore lint/suspicious/noAssignInExpressions: fewer bytes in the tag
  const sluice = (target.sluice = createTracker({
    ...options,
    ...stub?.options,
    writeKey: data.key,
    endpoint: data.endpoint || new URL('.', script!.src).href,
  } as TrackerOptions));
  // The tracker records its page view on load after these. (The snippet's `arguments`
  // objects are iterable.)
  for (const args of stub?.q || []) (sluice as (...args: unknown[]) => void)(...(args as []));
};
