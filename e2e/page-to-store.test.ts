import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollector } from '@sluice/collector';
import { startForwarder } from '@sluice/forwarder';
import { openLogQueue, type Queue } from '@sluice/queue';
import { createS3Store } from '@sluice/store';
import { startS3Server } from '@sluice/testkit/s3';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from './browser.js';
import { readStoredEvents } from './read-store.js';
import { startSite } from './site-server.js';

// The whole path, nothing mocked: real Chromium loads the tag from the collector on
// another origin, the collector appends to the durable log, the forwarder writes gzip
// NDJSON into a real S3-compatible server (s3rver) over HTTP.

const tagScript = () =>
  readFile(new URL('../packages/tracker/dist/sluice.js', import.meta.url), 'utf8');

let browser: Browser;
let dir: string;

beforeAll(async () => {
  browser = await launchChromium();
  dir = await mkdtemp(join(tmpdir(), 'sluice-e2e-'));
});

afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

function sitePage(collectorUrl: string, title: string, next?: string): string {
  return `<!doctype html><html><head><title>${title}</title>
<script>window.sluice=window.sluice||function(){(sluice.q=sluice.q||[]).push(arguments)};sluice('track','Before Load',{early:true});</script>
<script async src="${collectorUrl}/s.js" data-key="site-key"></script></head>
<body><h1>${title}</h1>${next ? `<a id="next" href="${next}">next</a>` : ''}</body></html>`;
}

it('delivers page views and custom events from a real browser into the store, once each', async () => {
  const s3 = await startS3Server({ bucket: 'events' });
  const store = createS3Store({ bucket: s3.bucket, ...s3.clientConfig });
  const queue = await openLogQueue({ dir: join(dir, 'queue') });
  let collector: Awaited<ReturnType<typeof startCollector>> | undefined;
  let forwarder: Awaited<ReturnType<typeof startForwarder>> | undefined;
  let site: Awaited<ReturnType<typeof startSite>> | undefined;
  try {
    // The site's pages name the collector's URL, known only once it listens.
    const pages: Record<string, string> = {};
    site = await startSite(pages);
    // Every id the collector acknowledged: the queue it appends to, observed (not replaced).
    const acknowledgedIds: string[] = [];
    const observedQueue: Queue = {
      append: async (messages) => {
        await queue.append(messages);
        for (const m of messages) acknowledgedIds.push(m.id);
      },
      consumer: (name) => queue.consumer(name),
      close: () => queue.close(),
    };
    collector = await startCollector({
      queue: observedQueue,
      tagScript: await tagScript(),
      config: { sources: [{ id: 'shop', writeKeys: ['site-key'], allowedOrigins: [site.origin] }] },
    });
    pages['/'] = sitePage(collector.url, 'Home', '/next');
    pages['/next'] = sitePage(collector.url, 'Next');
    forwarder = await startForwarder({
      queue,
      store,
      options: { maxFileAgeMs: 300, minFileBytes: 1 },
    });

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${site.origin}/`);
    await page.waitForFunction(
      () =>
        typeof (window as unknown as { sluice: { track?: unknown } }).sluice.track === 'function',
    );
    await page.evaluate(() => {
      const sluice = (window as unknown as { sluice: Record<string, (...a: unknown[]) => void> })
        .sluice;
      sluice.identify!('user-42', { plan: 'pro' });
      sluice.track!('Signed Up', { plan: 'pro', price: 12.5 });
      sluice.track!('Clicked', { target: 'cta' });
    });
    // Leaving the page must deliver what is still batched (pagehide / visibilitychange).
    await page.click('#next');
    await page.waitForFunction(() => document.title === 'Next');
    await page.evaluate(() => {
      (window as unknown as { sluice: { track: (e: string) => void } }).sluice.track('Last Words');
    });
    await page.close();

    const expected = [
      ['track', 'Before Load', '/'],
      ['page', undefined, '/'],
      ['identify', undefined, '/'],
      ['track', 'Signed Up', '/'],
      ['track', 'Clicked', '/'],
      ['track', 'Before Load', '/next'],
      ['page', undefined, '/next'],
      ['track', 'Last Words', '/next'],
    ];
    const describe = (e: Record<string, unknown>) => [
      e.type,
      e.event,
      (e.context as { page?: { path?: string } } | undefined)?.page?.path,
    ];

    let stored = await readStoredEvents(store, 'events/');
    const deadline = Date.now() + 20_000;
    while (stored.length < expected.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      stored = await readStoredEvents(store, 'events/');
    }
    // The context (the browser's profile) stays open meanwhile: closing it at once can end its
    // network before the closed page's beacon goes out, which no closed tab does (seen in CI).
    await context.close();
    await forwarder.stop();
    forwarder = undefined;
    stored = await readStoredEvents(store, 'events/');

    expect(stored.map((s) => describe(s.event)).sort()).toEqual(expected.sort());
    const storedIds = stored.map((s) => s.event.messageId as string);
    expect(new Set(storedIds).size).toBe(storedIds.length);
    // A batch the tag resent (its first answer lost, e.g. under load) is acknowledged twice and
    // stored once: the forwarder drops repeats by messageId.
    expect(storedIds.sort()).toEqual([...new Set(acknowledgedIds)].sort());
    for (const { key, event } of stored) {
      expect(key).toMatch(
        /^events\/source=shop\/dt=\d{4}-\d{2}-\d{2}\/hh=\d{2}\/\d{20}\.ndjson\.gz$/,
      );
      expect(event.receivedAt).toEqual(expect.any(String));
      expect(event.anonymousId).toEqual(stored[0]!.event.anonymousId);
    }
    expect(await readStoredEvents(store, 'quarantine/')).toEqual([]);
  } finally {
    await forwarder?.stop();
    await collector?.close();
    await site?.close();
    await queue.close();
    await s3.stop();
  }
});
