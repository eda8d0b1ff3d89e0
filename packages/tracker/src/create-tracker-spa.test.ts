import { describe, expect, it } from 'vitest';
import { sleep, started, useTrackerKit } from './test-tracker.js';
import type { TrackerOptions } from './types.js';

const kit = useTrackerKit();

/** A started tracker that records its page view on load and sends each event at once. */
const spaTracker = async (more: Partial<TrackerOptions> = {}) => {
  const tracker = kit.make({ autoPageview: true, flushAt: 1, ...more });
  await started();
  return tracker;
};

/** The paths (with hash) of the page views the collector took, once `count` arrived. */
const pageViews = async (count: number) => {
  await kit.collector.waitFor(
    () => kit.accepted().filter((e) => e.type === 'page').length >= count,
  );
  await sleep(100); // and no more come
  return kit
    .accepted()
    .filter((e) => e.type === 'page')
    .map((e) => {
      const page = (e.context as { page: { path: string; url: string } }).page;
      return page.path + new URL(page.url).hash;
    });
};

describe('page views of a single-page app', () => {
  it('records one page view per new path from pushState, none for a new query or state', async () => {
    await spaTracker();
    history.pushState({ step: 1 }, '', '/products');
    history.pushState({ step: 2 }, '', '/products?sort=price');
    history.pushState({ step: 3 }, '', '/products/42');
    expect(await pageViews(3)).toEqual(['/', '/products', '/products/42']);
    expect(history.state).toEqual({ step: 3 }); // the page's own call did its job
  });

  it('records replaceState only when the path changes', async () => {
    await spaTracker();
    history.replaceState({ scroll: 100 }, '', '/');
    history.replaceState(null, '', '/?tab=2');
    history.replaceState(null, '', '/login');
    expect(await pageViews(2)).toEqual(['/', '/login']);
  });

  it('records back and forward navigation (popstate), once per navigation', async () => {
    await spaTracker();
    history.pushState(null, '', '/a');
    history.pushState(null, '', '/b');
    await pageViews(3);
    history.back(); // to /a: popstate
    expect(await pageViews(4)).toEqual(['/', '/a', '/b', '/a']);
  });

  it('ignores hash changes by default', async () => {
    await spaTracker();
    location.hash = '#/about';
    await sleep(100);
    expect(await pageViews(1)).toEqual(['/']);
  });

  it('records a hash router page view once, whether popstate, hashchange or both fire', async () => {
    await spaTracker({ hash: true });
    location.hash = '#/about'; // fires hashchange (and popstate in some browsers)
    dispatchEvent(new PopStateEvent('popstate'));
    history.pushState(null, '', '/#/contact');
    expect(await pageViews(3)).toEqual(['/', '/#/about', '/#/contact']);
  });

  it('records no navigation with spa: false', async () => {
    await spaTracker({ spa: false });
    history.pushState(null, '', '/elsewhere');
    expect(await pageViews(1)).toEqual(['/']);
  });

  it('leaves page views to the app without autoPageview (unless spa: true)', async () => {
    const tracker = await spaTracker({ autoPageview: false });
    history.pushState(null, '', '/elsewhere');
    tracker.page('By hand');
    expect(await pageViews(1)).toEqual(['/elsewhere']);
    expect(kit.accepted()[0]!.name).toBe('By hand');
  });
});
