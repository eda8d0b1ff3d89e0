import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollector } from '@sluice/collector';
import { startForwarder } from '@sluice/forwarder';
import { openLogQueue } from '@sluice/queue';
import { createS3Store } from '@sluice/store';
import { startS3Server } from '@sluice/testkit/s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordFigures, secondsSince, testFile } from './reliability-figures.js';
import { request } from './reliability-http.js';
import { compare, storedCounts } from './scale-support.js';
import {
  chromiumPool,
  pollUntil,
  sluice,
  startTrackerSite,
  storage,
  tagFile,
  tagLoaded,
  tagSnippet,
} from './tracker-harness.js';

// The queue's disk budget fills up: the bucket is down, so the forwarder cannot upload and
// the embedded log (maxBytes 512 KiB) holds everything. The collector then answers 503
// queue_full with Retry-After; the real tag in real Chromium keeps its events in localStorage
// and retries. Once the bucket is back the forwarder drains the log, appends succeed again,
// and every event the page recorded, like every one acknowledged before, is stored once.

const browsers = chromiumPool();
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-reliability-budget-'));
});
afterAll(async () => {
  await browsers.close();
  await rm(dir, { recursive: true, force: true });
});

const BUDGET_BYTES = 512 * 1024;

it('answers 503 with Retry-After at a full disk budget, and stores every event the tag kept and resent', async () => {
  const started = Date.now();
  const s3 = await startS3Server({ bucket: 'events' });
  const queue = await openLogQueue({
    dir: join(dir, 'queue'),
    maxBytes: BUDGET_BYTES,
    segmentBytes: 64 * 1024,
  });
  const pages: Record<string, string> = {};
  const site = await startTrackerSite(pages);
  const collector = await startCollector({
    queue,
    tagScript: await tagFile('sluice.js'),
    logger: false,
    config: {
      limits: { ipRate: null, ipEventRate: null, ipByteRate: null },
      sources: [{ id: 'shop', writeKeys: ['site-key'], allowedOrigins: [site.origin] }],
    },
  });
  const store = createS3Store({ bucket: s3.bucket, ...s3.clientConfig });
  const forwarder = await startForwarder({
    queue,
    store,
    stateDir: join(dir, 'state'),
    options: { maxFileAgeMs: 300, minFileBytes: 1 },
    onError: () => {},
  });
  try {
    await s3.stop();

    // A server-side sender fills the budget until the collector refuses.
    const filled = new Set<string>();
    let refusal: Awaited<ReturnType<typeof request>> | undefined;
    for (let n = 0; refusal === undefined; n++) {
      const ids = Array.from({ length: 50 }, (_, i) => `fill-${n}-${i}`);
      const batch = ids.map((messageId) => ({
        type: 'track',
        event: 'Filler',
        messageId,
        anonymousId: 'filler',
        properties: { padding: 'x'.repeat(200) },
      }));
      const answer = await request(`${collector.url}/v1/batch`, {
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ writeKey: 'site-key', batch }),
      });
      if (answer.status === 200) for (const id of ids) filled.add(id);
      else refusal = answer;
      expect(n).toBeLessThan(1_000);
    }
    expect(refusal.status).toBe(503);
    expect(JSON.parse(refusal.text).error.code).toBe('queue_full');
    expect(Number(refusal.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    // A real page records events while the collector refuses them.
    pages['/'] =
      `<!doctype html><html><head><title>Shop</title>${tagSnippet(collector.url)}</head><body>shop</body></html>`;
    const context = await browsers.context();
    const page = await context.newPage();
    const sentByPage = new Set<string>();
    const statuses: number[] = [];
    let exposedRetryAfter = false;
    page.on('request', (req) => {
      if (new URL(req.url()).pathname !== '/v1/batch') return; // retries: /v1/batch?r
      const body = JSON.parse(req.postData() ?? '{}') as { batch?: { messageId: string }[] };
      for (const event of body.batch ?? []) sentByPage.add(event.messageId);
    });
    page.on('response', (res) => {
      if (new URL(res.url()).pathname !== '/v1/batch') return;
      statuses.push(res.status());
      const headers = res.headers();
      if (res.status() === 503 && headers['retry-after'] !== undefined) {
        exposedRetryAfter ||= /retry-after/i.test(headers['access-control-expose-headers'] ?? '');
      }
    });
    await page.goto(`${site.origin}/`);
    await tagLoaded(page);
    const tracked = 30;
    for (let i = 0; i < tracked; i++) await sluice(page, 'track', 'Added To Cart', { n: i });
    const outbox = async () => (await storage(page)).sluice_q?.split('\n').length ?? 0;
    // The page view and the 30 tracks wait on the device after the collector's 503.
    await pollUntil(
      outbox,
      (n) => n === tracked + 1 && statuses.includes(503),
      60_000,
      'the outbox',
    );
    const refusedWhileFull = statuses.filter((s) => s === 503).length;

    // The bucket comes back: the forwarder drains, the log frees space, the tag's retry lands.
    const backAt = Date.now();
    await s3.start();
    await pollUntil(outbox, (n) => n === 0, 180_000, 'the tag to deliver its outbox');
    const deliveredAfterS = secondsSince(backAt);
    const expected = new Set([...filled, ...sentByPage]);
    await pollUntil(
      async () => compare(expected, await storedCounts(store)),
      (r) => r.lost === 0,
      120_000,
      'every event stored',
    );
    await page.close();
    await forwarder.stop();
    const result = compare(expected, await storedCounts(store));

    await recordFigures('disk-budget', {
      title: 'Full disk budget: 503 + Retry-After, the tag keeps and retries',
      file: testFile(import.meta.url),
      what:
        `The embedded log limited to ${BUDGET_BYTES / 1024} KiB (segments of 64 KiB) and the bucket ` +
        'down, so nothing could be forwarded: a server-side sender filled the budget, then a real ' +
        `page in Chromium (the script tag) recorded a page view and ${tracked} events; the bucket ` +
        'came back and nobody else acted.',
      events: {
        sent: filled.size + sentByPage.size,
        acknowledged: expected.size,
        stored: result.stored,
        lost: result.lost,
        duplicated: result.duplicated,
      },
      details: {
        'events acknowledged before the budget was full': filled.size,
        'events the page recorded': sentByPage.size,
        '503 answers the page saw while the budget was full': refusedWhileFull,
        'answers the page saw (all)': statuses.join(' '),
        'outbox delivered, seconds after the bucket came back': deliveredAfterS,
      },
      seconds: secondsSince(started),
    });
    expect(sentByPage.size).toBe(tracked + 1);
    expect(refusedWhileFull).toBeGreaterThanOrEqual(1);
    expect(exposedRetryAfter).toBe(true);
    expect(statuses.at(-1)).toBe(200);
    expect(result.lost).toBe(0);
    expect(result.duplicated).toBe(0);
  } finally {
    await forwarder.stop();
    await collector.close();
    await site.close();
    await queue.close();
    await s3.close();
  }
}, 400_000);
