import type { PluginTarget, StopPlugin } from './plugin-target.js';

/**
 * Records `Scroll Depth Reached` ({ percent, path }) once per page and threshold, when the
 * bottom of the viewport first passes that percentage of the page's height. A single-page
 * app's new path starts over. The listener is passive and reads two numbers per scroll event.
 */
export const scrollDepth = (
  tracker: PluginTarget,
  thresholds: number[] = [25, 50, 75, 100],
): StopPlugin => {
  let path: string | undefined;
  let reached: number[] = [];
  const onScroll = (): void => {
    try {
      if (path !== location.pathname) {
        path = location.pathname;
        reached = [];
      }
      const percent = ((scrollY + innerHeight) / document.documentElement.scrollHeight) * 100 + 0.5;
      for (const threshold of thresholds)
        if (percent >= threshold && !reached.includes(threshold)) {
          reached.push(threshold);
          tracker.track('Scroll Depth Reached', { percent: threshold, path });
        }
    } catch {}
  };
  addEventListener('scroll', onScroll, { passive: true });
  return () => removeEventListener('scroll', onScroll);
};
