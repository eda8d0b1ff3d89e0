import type { PluginTarget, StopPlugin } from './plugin-target.js';

/** The metrics of one page load: milliseconds, but CLS (a unitless score). */
export type WebVitals = { TTFB?: number; FCP?: number; LCP?: number; CLS?: number; INP?: number };

type Shift = PerformanceEntry & { value: number; hadRecentInput: boolean };
type Interaction = PerformanceEntry & { interactionId?: number };

/**
 * Records one `Web Vitals` event (TTFB, FCP, LCP, CLS, INP) when the page is first hidden,
 * and sends it at once (sendBeacon: the page may be going away). From PerformanceObserver,
 * as Google's web-vitals library measures them: CLS is the largest burst of layout shifts
 * (less than 1 s apart, at most 5 s); INP is the longest interaction, which is what
 * web-vitals reports for pages with fewer than 50 interactions. A metric the browser does
 * not support is left out.
 */
export const webVitals = (tracker: PluginTarget): StopPlugin => {
  const metrics: WebVitals = {};
  const observers: PerformanceObserver[] = [];
  const observe = (type: string, handle: (entry: PerformanceEntry) => void): void => {
    try {
      const observer = new PerformanceObserver((list) => list.getEntries().forEach(handle));
      observer.observe({ type, buffered: true, durationThreshold: 40 } as PerformanceObserverInit);
      observers.push(observer);
    } catch {} // this browser does not know `type`
  };
  const longest = (entry: Interaction): void => {
    if (entry.interactionId) metrics.INP = Math.max(metrics.INP || 0, entry.duration);
  };
  let burst = 0;
  let burstStart = 0;
  let lastShift = 0;

  observe('paint', (entry) => {
    if (entry.name === 'first-contentful-paint') metrics.FCP = entry.startTime;
  });
  observe('largest-contentful-paint', (entry) => {
    metrics.LCP = entry.startTime;
  });
  observe('layout-shift', (entry) => {
    const shift = entry as Shift;
    if (shift.hadRecentInput) return;
    if (shift.startTime - lastShift >= 1000 || shift.startTime - burstStart >= 5000) {
      burst = 0;
      burstStart = shift.startTime;
    }
    burst += shift.value;
    lastShift = shift.startTime;
    metrics.CLS = Math.max(metrics.CLS || 0, burst);
  });
  observe('event', longest);
  observe('first-input', longest);

  const report = (): void => {
    if (document.visibilityState !== 'hidden') return;
    stop();
    try {
      const navigation = performance.getEntriesByType('navigation')[0] as
        | PerformanceNavigationTiming
        | undefined;
      if (navigation && navigation.responseStart > 0) metrics.TTFB = navigation.responseStart;
      const rounded: WebVitals = {};
      for (const [name, value] of Object.entries(metrics) as [keyof WebVitals, number][])
        rounded[name] = name === 'CLS' ? Math.round(value * 1e4) / 1e4 : Math.round(value);
      tracker.track('Web Vitals', rounded);
      tracker.flush();
    } catch {}
  };
  const stop = (): void => {
    removeEventListener('visibilitychange', report, true);
    for (const observer of observers) observer.disconnect();
  };
  addEventListener('visibilitychange', report, true);
  return stop;
};
