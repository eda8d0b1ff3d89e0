// Shared setup of the tag's real-browser tests: the real collector (over a memory queue that
// the tests observe, and can make refuse appends), a small site on another origin, and Chromium.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollector } from '@sluice/collector';
import { startForwarder } from '@sluice/forwarder';
import { createMemoryQueue, QueueFullError, type QueueProducer } from '@sluice/queue';
import { createFsStore } from '@sluice/store';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './browser.js';
import { readStoredEvents } from './read-store.js';

const decoder = new TextDecoder();
const dist = new URL('../packages/tracker/dist/', import.meta.url);

/** A built file of the tag (`pnpm --filter @sluice/tracker build` makes them). */
export const tagFile = (name: string): Promise<string> => readFile(new URL(name, dist), 'utf8');

/** What the collector acknowledged: the events its queue took (kind 'event' or 'quarantine'). */
export type Acknowledged = { kind: string; event: Record<string, unknown> }[];

/**
 * The collector on a memory queue, decorated: every message it appends is recorded, and
 * `refuse(n)` makes the next n appends throw QueueFullError, so the collector answers 503 with
 * Retry-After (fault injection; the queue itself is real).
 */
export async function startObservedCollector(siteOrigin: string, retryAfterSeconds = 1) {
  const inner = createMemoryQueue();
  const acknowledged: Acknowledged = [];
  let refusals = 0;
  let refused = 0;
  // While held, appends wait (the tag's request stays in flight) until released.
  let gate: Promise<void> | undefined;
  let open = () => {};
  let held = 0;
  const queue: QueueProducer = {
    async append(messages) {
      if (gate) {
        held++;
        await gate;
        held--;
      }
      if (refusals > 0) {
        refusals--;
        refused++;
        throw new QueueFullError('test: the queue refuses', retryAfterSeconds);
      }
      await inner.append(messages);
      for (const m of messages)
        acknowledged.push({ kind: m.kind, event: JSON.parse(decoder.decode(m.body)) });
    },
    close: () => inner.close(),
  };
  const collector = await startCollector({
    queue,
    tagScript: await tagFile('sluice.js'),
    logger: false,
    config: {
      sources: [{ id: 'site', writeKeys: ['site-key'], allowedOrigins: [siteOrigin] }],
    },
  });
  let forwarding:
    | { stop(): Promise<void>; dir: string; store: ReturnType<typeof createFsStore> }
    | undefined;
  return {
    url: collector.url,
    acknowledged,
    /**
     * Runs the real forwarder into a local-directory store: what the pipeline keeps, repeats
     * removed by messageId. Returns a reader of the stored events.
     */
    async forward() {
      const dir = await mkdtemp(join(tmpdir(), 'sluice-tracker-e2e-'));
      const store = createFsStore({ root: dir });
      const forwarder = await startForwarder({
        queue: inner,
        store,
        options: { maxFileAgeMs: 200, minFileBytes: 1 },
        onError: () => {},
      });
      forwarding = { stop: () => forwarder.stop(), dir, store };
      return async () => (await readStoredEvents(store, 'events/')).map((line) => line.event);
    },
    /** The directory of the store `forward()` writes into (undefined before it runs). */
    storeDir: () => forwarding?.dir,
    /** The events acknowledged so far (quarantined ones are a failure of the test). */
    events: () => acknowledged.map((a) => a.event),
    /** Appends refused so far. */
    refused: () => refused,
    refuse(count: number) {
      refusals = count;
    },
    /** From now on appends wait, their requests in flight, until `release()`. */
    hold() {
      gate = new Promise((resolve) => {
        open = resolve;
      });
    },
    /** Appends waiting on `hold()`. */
    held: () => held,
    release() {
      gate = undefined;
      open();
    },
    async close() {
      await collector.close();
      await forwarding?.stop();
      await queue.close();
      if (forwarding) await rm(forwarding.dir, { recursive: true, force: true });
    },
  };
}

export type ObservedCollector = Awaited<ReturnType<typeof startObservedCollector>>;

/** A site on its own origin: path → page (HTML or script), with headers, as they are at request time. */
export type SitePage = { body: string; type?: string; headers?: Record<string, string> };

export async function startTrackerSite(pages: Record<string, SitePage | string>) {
  const server = createServer((request, response) => {
    const page = pages[new URL(request.url ?? '/', 'http://x').pathname];
    const {
      body,
      type = 'text/html; charset=utf-8',
      headers = {},
    } = typeof page === 'string' ? { body: page } : (page ?? { body: 'not found' });
    response.writeHead(page === undefined ? 404 : 200, { 'content-type': type, ...headers });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    pages,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The snippet and the tag, as a site puts them in its <head>. */
export function tagSnippet(
  collectorUrl: string,
  data: Record<string, string> = {},
  early = '',
): string {
  const attributes = Object.entries({ key: 'site-key', ...data })
    .map(([name, value]) => ` data-${name}="${value}"`)
    .join('');
  return `<script>window.sluice=window.sluice||function(){(sluice.q=sluice.q||[]).push(arguments)};${early}</script>
<script async src="${collectorUrl}/s.js"${attributes}></script>`;
}

/** Waits until `test()` holds (checked every 50 ms), failing after `ms`. */
export async function waitUntil(
  test: () => boolean,
  ms = 20_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Reads until `test` holds for what `read` gives (every 200 ms), failing after `ms`. */
export async function pollUntil<T>(
  read: () => Promise<T>,
  test: (value: T) => boolean,
  ms = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (test(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Waits until the page's tag has loaded (the snippet's stub replaced by the tracker). */
export async function tagLoaded(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      typeof (window as unknown as { sluice?: { track?: unknown } }).sluice?.track === 'function',
  );
}

/** Calls the page's `sluice(...)` global. */
export async function sluice(page: Page, ...args: unknown[]): Promise<void> {
  await page.evaluate((args) => {
    (window as unknown as { sluice: (...a: unknown[]) => void }).sluice(...args);
  }, args);
}

/** The keys and values the tag left in the page's localStorage. */
export async function storage(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => ({ ...localStorage }));
}

/** One Chromium for a test file, a fresh context per test. */
export function chromiumPool() {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  return {
    async context(): Promise<BrowserContext> {
      browser ??= await launchChromium();
      const context = await browser.newContext();
      contexts.push(context);
      return context;
    },
    async closeContexts(): Promise<void> {
      for (const context of contexts.splice(0)) await context.close().catch(() => {});
    },
    async close(): Promise<void> {
      await browser?.close();
    },
  };
}

/** messageIds of `events` appear once each. */
export function countById(events: Record<string, unknown>[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of events)
    counts.set(e.messageId as string, (counts.get(e.messageId as string) ?? 0) + 1);
  return counts;
}
