import { afterEach, describe, expect, it, vi } from 'vitest';
import { recordingTarget } from './plugin-test-target.js';
import { webVitals } from './web-vitals.js';

// happy-dom has no paint, layout or event timing: a stand-in PerformanceObserver hands the
// plugin the entries a browser would (the real ones are checked in Chromium, e2e).
const observers: { type: string; callback: (list: { getEntries(): unknown[] }) => void }[] = [];
class FakeObserver {
  type = '';
  constructor(readonly callback: (list: { getEntries(): unknown[] }) => void) {}
  observe({ type }: { type: string }) {
    if (type === 'unsupported') throw new TypeError('unknown type');
    this.type = type;
    observers.push(this);
  }
  disconnect() {
    observers.splice(observers.indexOf(this), 1);
  }
}
const emit = (type: string, ...entries: Record<string, unknown>[]) => {
  for (const o of observers.filter((o) => o.type === type))
    o.callback({ getEntries: () => entries });
};
const hide = () => {
  Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
  document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
};

afterEach(() => {
  vi.unstubAllGlobals();
  Reflect.deleteProperty(document, 'visibilityState');
  observers.length = 0;
});

describe('webVitals', () => {
  it('records one Web Vitals event when the page is first hidden, and sends it at once', () => {
    vi.stubGlobal('PerformanceObserver', FakeObserver);
    const target = recordingTarget();
    webVitals(target);
    emit(
      'paint',
      { name: 'first-paint', startTime: 90 },
      { name: 'first-contentful-paint', startTime: 120.4 },
    );
    emit('largest-contentful-paint', { startTime: 300 }, { startTime: 812.6 });
    emit('event', { interactionId: 0, duration: 500 }, { interactionId: 3, duration: 64 });
    emit('first-input', { interactionId: 1, duration: 48 });
    emit('event', { interactionId: 4, duration: 96 });
    hide();
    hide();
    expect(target.tracked).toEqual([['Web Vitals', { FCP: 120, LCP: 813, INP: 96, ...ttfb() }]]);
    expect(target.flushes).toBe(1);
    expect(observers).toEqual([]); // done: it stopped observing
  });

  it('counts CLS as the worst burst of shifts (under 1 s apart, 5 s at most), not the sum', () => {
    vi.stubGlobal('PerformanceObserver', FakeObserver);
    const target = recordingTarget();
    webVitals(target);
    const shift = (startTime: number, value: number, hadRecentInput = false) => ({
      startTime,
      value,
      hadRecentInput,
    });
    // burst 1: 0.1 + 0.1 = 0.2; a shift right after input does not count
    emit('layout-shift', shift(1000, 0.1), shift(1500, 0.1), shift(1600, 0.5, true));
    // burst 2, 2 s later: 0.05 × 4 = 0.2, then a gap; burst 3: 0.15 + 0.1 = 0.25
    emit(
      'layout-shift',
      shift(3500, 0.05),
      shift(4000, 0.05),
      shift(4500, 0.05),
      shift(5000, 0.05),
    );
    emit('layout-shift', shift(7000, 0.15), shift(7900, 0.1));
    // burst 4 runs past 5 s: cut in two windows of 0.3 and 0.06
    emit('layout-shift', ...Array.from({ length: 12 }, (_, i) => shift(10_000 + i * 500, 0.03)));
    hide();
    expect(target.tracked[0]![1]!.CLS).toBe(0.3);
  });

  it('leaves out what the browser cannot measure, and throws nothing', () => {
    vi.stubGlobal('PerformanceObserver', undefined);
    const target = recordingTarget();
    expect(() => webVitals(target)).not.toThrow();
    hide();
    expect(target.tracked).toEqual([['Web Vitals', { ...ttfb() }]]);
  });
});

/** TTFB as the plugin reads it from the navigation entry, where there is one. */
function ttfb(): { TTFB?: number } {
  const navigation = performance.getEntriesByType?.('navigation')[0] as
    | PerformanceNavigationTiming
    | undefined;
  return navigation && navigation.responseStart > 0
    ? { TTFB: Math.round(navigation.responseStart) }
    : {};
}
