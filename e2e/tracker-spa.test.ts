import { expect, it } from 'vitest';
import { tagSnippet, waitUntil } from './tracker-harness.js';
import { trackerTestSetup } from './tracker-test-setup.js';

// A single-page app in real Chromium: its router moves with history.pushState, replaceState,
// back/forward and hash links; the collector counts the page views the tag sends.

// The app's router: buttons that call the history API as React Router or Vue Router do.
const APP = `
<nav>
  <button id="push-products" onclick="history.pushState({}, '', '/products')">products</button>
  <button id="push-query" onclick="history.pushState({}, '', '/products?sort=price')">sort</button>
  <button id="replace-same" onclick="history.replaceState({ scroll: 1 }, '', location.pathname)">scroll</button>
  <button id="replace-login" onclick="history.replaceState({}, '', '/login')">login</button>
  <a id="hash-about" href="#/about">about</a>
</nav>`;

const tracker = trackerTestSetup();

const pageViews = () =>
  tracker.collector
    .events()
    .filter((e) => e.type === 'page')
    .map((e) => {
      const { path, url } = (e.context as { page: { path: string; url: string } }).page;
      return path + new URL(url).hash;
    });

/** Opens the app with the tag's `data` attributes; every event is sent at once. */
async function openApp(data: Record<string, string> = {}) {
  tracker.site.pages['/'] = `<!doctype html><title>App</title>${tagSnippet(tracker.collector.url, {
    'flush-at': '1',
    ...data,
  })}${APP}`;
  const page = await tracker.open();
  await waitUntil(() => pageViews().length === 1, 20_000, 'the page view on load');
  return page;
}

it('counts one page view per navigation to a new path, none for state or query changes', async () => {
  const page = await openApp();
  await page.click('#push-products');
  await waitUntil(() => pageViews().length === 2, 20_000, '/products');
  await page.click('#push-query');
  await page.click('#replace-same');
  await page.click('#replace-login');
  await waitUntil(() => pageViews().length === 3, 20_000, '/login');
  await page.goBack(); // popstate, to /products?sort=price
  await waitUntil(() => pageViews().length === 4, 20_000, 'back');
  await page.goForward(); // popstate, to /login
  await waitUntil(() => pageViews().length === 5, 20_000, 'forward');
  await page.click('#hash-about'); // hashchange (and popstate): same path, no page view
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(pageViews()).toEqual(['/', '/products', '/login', '/products', '/login']);
});

it('counts hash routes as pages with data-hash, once per navigation', async () => {
  const page = await openApp({ hash: 'true' });
  await page.click('#hash-about'); // Chromium fires popstate and hashchange
  await waitUntil(() => pageViews().length === 2, 20_000, '#/about');
  await page.goBack();
  await waitUntil(() => pageViews().length === 3, 20_000, 'back');
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(pageViews()).toEqual(['/', '/#/about', '/']);
});

it('leaves navigation alone with data-spa="false"', async () => {
  const page = await openApp({ spa: 'false' });
  await page.click('#push-products');
  await page.click('#replace-login');
  await new Promise((resolve) => setTimeout(resolve, 800));
  expect(pageViews()).toEqual(['/']);
});
