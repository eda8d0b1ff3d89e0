import { afterEach, describe, expect, it } from 'vitest';
import { recordingTarget } from './plugin-test-target.js';
import { scrollDepth } from './scroll-depth.js';

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
  history.replaceState(null, '', '/');
});
// happy-dom lays nothing out: give the page a height and a viewport, and scroll by hand.
const scrollTo = (y: number, height = 4000, viewport = 1000) => {
  Object.defineProperty(document.documentElement, 'scrollHeight', {
    value: height,
    configurable: true,
  });
  Object.defineProperty(window, 'innerHeight', { value: viewport, configurable: true });
  Object.defineProperty(window, 'scrollY', { value: y, configurable: true });
  dispatchEvent(new Event('scroll'));
};

describe('scrollDepth', () => {
  it('records each threshold once, when the bottom of the viewport first passes it', () => {
    const target = recordingTarget();
    stops.push(scrollDepth(target));
    scrollTo(0); // 25 %: the first screen
    scrollTo(900); // 47.5 %
    scrollTo(1000); // 50 %
    scrollTo(200); // back up: nothing new
    scrollTo(3000); // 100 %: 75 and 100 at once
    scrollTo(3000);
    expect(target.tracked).toEqual([
      ['Scroll Depth Reached', { percent: 25, path: '/' }],
      ['Scroll Depth Reached', { percent: 50, path: '/' }],
      ['Scroll Depth Reached', { percent: 75, path: '/' }],
      ['Scroll Depth Reached', { percent: 100, path: '/' }],
    ]);
  });

  it('starts over on a new path of a single-page app, and takes its own thresholds', () => {
    const target = recordingTarget();
    stops.push(scrollDepth(target, [90]));
    scrollTo(3000);
    history.pushState(null, '', '/next');
    scrollTo(3000);
    expect(target.tracked).toEqual([
      ['Scroll Depth Reached', { percent: 90, path: '/' }],
      ['Scroll Depth Reached', { percent: 90, path: '/next' }],
    ]);
  });
});
