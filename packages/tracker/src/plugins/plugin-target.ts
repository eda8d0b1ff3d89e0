import type { TrackerMethods } from '../types.js';

/** What a plugin needs of a tracker: a `createTracker()` result, or the script tag's global. */
export type PluginTarget = Pick<TrackerMethods, 'track' | 'flush'>;

/** Stops a plugin: removes its listeners. */
export type StopPlugin = () => void;

/**
 * The page's `sluice` global as a plugin target, looked up at each call: a plugin's script
 * may load before the tag, and then its calls go into the snippet's queue, replayed in order.
 */
export const globalTarget: PluginTarget = {
  track: (...args) =>
    (window as { sluice?: (...args: unknown[]) => void }).sluice?.('track', ...args),
  flush: () => (window as { sluice?: (...args: unknown[]) => void }).sluice?.('flush'),
};
