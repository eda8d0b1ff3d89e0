import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollector } from '@sluice/collector';
import { startForwarder } from '@sluice/forwarder';
import { openLogQueue } from '@sluice/queue';
import { createFsStore } from '@sluice/store';
import { freePort, type RunningProxy, startCaddy, startNginx } from '@sluice/testkit/proxies';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.js';
import { REPO_ROOT, runSluice } from './cli-process.js';
import { readStoredEvents } from './read-store.js';

// First-party deployment (docs/first-party.md), nothing mocked: real nginx and real Caddy,
// each configured with the very recipe file the docs show, serve a site on one origin and
// proxy its neutral paths (/a/x.js, /a/v1/...) to a real collector; real Chromium loads the
// site; the forwarder writes the events into a store. The collector listens on [::1] and the
// proxies on 127.0.0.1, so the address the proxy saw (the browser's, 127.0.0.1) and the
// proxy's own (::1) differ, and context.ip shows which one the collector took.

const RECIPES = {
  nginx: { file: 'deploy/first-party/nginx.conf', start: startNginx },
  caddy: { file: 'deploy/first-party/sluice.caddy', start: startCaddy },
} as const;
type ProxyName = keyof typeof RECIPES;
/** The collector's address as the recipes write it; the tests put the real one in its place. */
const RECIPE_UPSTREAM = '127.0.0.1:8080';
const PATHS = { prefix: '/a', script: 'x.js' };
/** An address from the documentation range the browser claims to be (RFC 5737). */
const FORGED = '198.51.100.7';
/** context.ip (anonymized) of the browser as the proxy saw it, of the proxy, and forged. */
const BROWSER_IP = '127.0.0.0';
const PROXY_IP = '::';
const FORGED_IP = '198.51.100.0';

const tagFile = join(REPO_ROOT, 'packages/tracker/dist/sluice.js');
const DOC = join(REPO_ROOT, 'docs/first-party.md');
let browser: Browser;
let tagScript: string;
let doc: string;
/** The collector config of docs/first-party.md, as written there. */
let docConfig: {
  trustProxy: number;
  paths: typeof PATHS;
  sources: { id: string; allowedOrigins: string[] }[];
};

beforeAll(async () => {
  browser = await launchChromium();
  tagScript = await readFile(tagFile, 'utf8');
  doc = await readFile(DOC, 'utf8');
  docConfig = JSON.parse(/```json\n([\s\S]*?)```/.exec(doc)![1]!);
});
afterAll(() => browser?.close());

const page = (head: string) =>
  `<!doctype html><html><head><title>shop</title>${head}</head><body>shop</body></html>`;

/** A collector, a forwarder into a directory and `proxy` with its recipe, on one site origin. */
async function deploy(
  proxy: ProxyName,
  trustProxy: number,
  extraFiles: Record<string, string> = {},
) {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-first-party-'));
  const queue = await openLogQueue({ dir: join(dir, 'queue') });
  const store = createFsStore({ root: join(dir, 'store') });
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  // The docs' config, with this test's origin, key and proxy count.
  const config = {
    ...docConfig,
    trustProxy,
    sources: [{ ...docConfig.sources[0]!, writeKeys: ['site-key'], allowedOrigins: [origin] }],
  };
  const configFile = join(dir, 'sluice.config.json');
  await writeFile(configFile, JSON.stringify(config));
  const collector = await startCollector({
    host: '::1',
    queue,
    tagScript,
    config,
    logger: false,
    metrics: false,
  });
  const forwarder = await startForwarder({
    queue,
    store,
    options: { maxFileAgeMs: 300, minFileBytes: 1 },
  });
  let running: RunningProxy | undefined;
  const close = async () => {
    await running?.close();
    await forwarder.stop();
    await collector.close();
    await queue.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const recipe = await readFile(join(REPO_ROOT, RECIPES[proxy].file), 'utf8');
    expect(recipe).toContain(RECIPE_UPSTREAM);
    running = await RECIPES[proxy].start({
      siteConfig: recipe.replaceAll(RECIPE_UPSTREAM, new URL(collector.url).host),
      port,
      files: {
        // The tag at its neutral path on the site's own origin; no data-endpoint.
        'index.html': page(
          `<script async src="${PATHS.prefix}/${PATHS.script}" data-key="site-key"></script>`,
        ),
        ...extraFiles,
      },
    });
  } catch (error) {
    await close();
    throw error;
  }
  return { origin, configFile, store, close };
}

/**
 * Opens the site's page, sends one custom event and flushes; returns what reached the store
 * (the page view and that event) and the answers the browser got from the neutral API path.
 */
async function visit(
  site: Awaited<ReturnType<typeof deploy>>,
  headers: Record<string, string> = {},
) {
  const context = await browser.newContext({ extraHTTPHeaders: headers });
  const tab = await context.newPage();
  const answers: string[] = [];
  tab.on('response', (response) => {
    const { pathname } = new URL(response.url());
    if (pathname.startsWith('/a/v1/')) answers.push(`${response.status()} ${pathname}`);
  });
  try {
    await tab.goto(`${site.origin}/index.html`);
    await tab.waitForFunction(
      () =>
        typeof (window as unknown as { sluice: { track?: unknown } }).sluice?.track === 'function',
    );
    await tab.evaluate(() => {
      const { sluice } = window as unknown as {
        sluice: { track: (e: string) => void; flush: () => void };
      };
      sluice.track('Through Proxy');
      sluice.flush();
    });
    // The page stays open until its events are stored: delivery on page leave is another
    // test's subject (tracker-delivery), and a lost beacon would only blur this one.
    const deadline = Date.now() + 20_000;
    let stored = await readStoredEvents(site.store, 'events/');
    while (stored.length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      stored = await readStoredEvents(site.store, 'events/');
    }
    return { events: stored.map((s) => s.event), answers };
  } finally {
    await context.close();
  }
}

const ipsOf = (events: Record<string, unknown>[]) => [
  ...new Set(events.map((e) => (e.context as { ip?: string }).ip)),
];

describe('the first-party docs', () => {
  it('show the tested recipe files as they are, and the config these tests run', async () => {
    for (const { file } of Object.values(RECIPES)) {
      const recipe = await readFile(join(REPO_ROOT, file), 'utf8');
      expect(doc, file).toContain(`\n${recipe}\`\`\``);
    }
    expect(docConfig).toMatchObject({ trustProxy: 1, paths: PATHS });
  });
});

describe.each(Object.keys(RECIPES) as ProxyName[])('first-party behind %s', (proxy) => {
  it('delivers events from a page on the site origin through the neutral paths into the store, with context.ip the browser address and not the forged header (trustProxy 1)', async () => {
    const site = await deploy(proxy, 1);
    try {
      const { events, answers } = await visit(site, { 'X-Forwarded-For': FORGED });
      expect(answers.length, 'the browser posted to /a/v1/batch').toBeGreaterThan(0);
      expect(
        answers.every((a) => a === '200 /a/v1/batch'),
        answers.join(', '),
      ).toBe(true);
      expect(events.map((e) => [e.type, e.event ?? null]).sort()).toEqual([
        ['page', null],
        ['track', 'Through Proxy'],
      ]);
      for (const event of events) {
        expect((event.context as { page: { url: string } }).page.url).toBe(
          `${site.origin}/index.html`,
        );
      }
      expect(ipsOf(events)).toEqual([BROWSER_IP]);
    } finally {
      await site.close();
    }
  });

  it('takes the socket address (the proxy) with trustProxy 0, never the forged header', async () => {
    const site = await deploy(proxy, 0);
    try {
      const { events } = await visit(site, { 'X-Forwarded-For': FORGED });
      expect(events).toHaveLength(2);
      expect(ipsOf(events)).toEqual([PROXY_IP]);
    } finally {
      await site.close();
    }
  });

  it('passes on what the browser wrote in X-Forwarded-For as the recipe says (seen with trustProxy 2)', async () => {
    // One hop too many trusted: nginx appends to the browser's header, so the forged entry is
    // what a wrong trustProxy would take; Caddy replaces the header, so there is none to take.
    const site = await deploy(proxy, 2);
    try {
      const { events } = await visit(site, { 'X-Forwarded-For': FORGED });
      expect(events).toHaveLength(2);
      expect(ipsOf(events)).toEqual([proxy === 'nginx' ? FORGED_IP : BROWSER_IP]);
    } finally {
      await site.close();
    }
  });

  it('serves the pinned tag `sluice tag` prints: the bytes match its integrity hash, Chromium runs it, and a wrong hash is refused', async () => {
    const site = await deploy(proxy, 1);
    try {
      const printed = await runSluice([
        'tag',
        '--json',
        '--config',
        site.configFile,
        '--base',
        site.origin,
      ]);
      expect(printed.code, printed.stderr).toBe(0);
      const tag = JSON.parse(printed.stdout) as { integrity: string; url: string; pinned: string };
      expect(tag.url).toMatch(new RegExp(`^${site.origin}/a/x\\.[0-9a-f]{12}\\.js$`));

      const pinned = await fetch(tag.url);
      expect(pinned.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      const bytes = Buffer.from(await pinned.arrayBuffer());
      expect(`sha384-${createHash('sha384').update(bytes).digest('base64')}`).toBe(tag.integrity);
      const current = await fetch(`${site.origin}/a/x.js`);
      expect(current.headers.get('cache-control')).toBe('public, max-age=3600');
      expect(Buffer.from(await current.arrayBuffer())).toEqual(bytes);

      const wrong = `sha384-${createHash('sha384').update('other bytes').digest('base64')}`;
      const runs = async (html: string) => {
        const context = await browser.newContext();
        const tab = await context.newPage();
        // The page is served by a route of this browser context on the site's origin, so the
        // script still comes from the proxy; the route only lets each case have its own HTML.
        await tab.route(`${site.origin}/pinned.html`, (route) =>
          route.fulfill({ contentType: 'text/html', body: page(html) }),
        );
        await tab.goto(`${site.origin}/pinned.html`);
        await tab.waitForLoadState('load');
        const loaded = await tab.evaluate(
          () => typeof (window as { sluice?: { track?: unknown } }).sluice?.track === 'function',
        );
        await context.close();
        return loaded;
      };
      expect(await runs(tag.pinned)).toBe(true);
      expect(await runs(tag.pinned.replace(tag.integrity, wrong))).toBe(false);
    } finally {
      await site.close();
    }
  });
});
