import { createMemoryQueue, type Queue } from '@sluice/queue';
import type { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { createCollectorApp } from '../app.js';
import { type CollectorConfigInput, parseCollectorConfig } from '../config.js';
import { hashSecretKey } from '../secret-keys.js';
import { testSources } from '../test-support.js';
import { LOGIN_MAX_BYTES } from './live-routes.js';
import { createLiveView, type LiveView } from './live-view.js';

// Issue 15, finding 1: one 300 MB login POST took the process from 170 MB to 1.87 GB.
const FORM = 'application/x-www-form-urlencoded';
const CHUNK_BYTES = 16 * 1024;
let queue: Queue | undefined;
let live: LiveView | undefined;

async function collector(limits: CollectorConfigInput['limits']): Promise<Hono> {
  queue = createMemoryQueue();
  const config = parseCollectorConfig({
    limits,
    sources: testSources,
    admin: { secretHash: await hashSecretKey('adm_secret-for-body-tests') },
  });
  live = createLiveView(config.admin!);
  return createCollectorApp({ queue, config, liveView: live, clientIp: () => '203.0.113.9' });
}
afterEach(async () => {
  live?.close();
  await queue?.close();
});

/** A body of `totalBytes` made as it is read, counting what the server pulled from it. */
function countedBody(totalBytes: number) {
  const counter = { pulled: 0 };
  const chunk = new TextEncoder().encode(`secret=${'a'.repeat(CHUNK_BYTES - 7)}`);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (counter.pulled >= totalBytes) return controller.close();
      counter.pulled += chunk.byteLength;
      controller.enqueue(chunk.slice());
    },
  });
  return { stream, counter };
}

function login(app: Hono, body: BodyInit, headers: Record<string, string>) {
  const init = { method: 'POST', body, headers, duplex: 'half' } as RequestInit;
  return Promise.resolve(app.request(new Request('http://collector.test/live/login', init)));
}

describe('the login form is read within a few KB', () => {
  it('answers 413 to a chunked login body as soon as it passes the limit', async () => {
    const app = await collector({ ipRate: null });
    const { stream, counter } = countedBody(64 * 1024 * 1024);
    const answer = await login(app, stream, { 'content-type': FORM });
    expect(answer.status).toBe(413);
    expect(await answer.json()).toMatchObject({ error: { code: 'payload_too_large' } });
    // Stopped after the limit and the chunks the stream queued ahead, not 64 MB later.
    expect(counter.pulled).toBeLessThanOrEqual(LOGIN_MAX_BYTES + 2 * CHUNK_BYTES);
  });

  it('answers 413 to a declared 300 MB login body without reading any of it', async () => {
    const app = await collector({ ipRate: null });
    const { stream, counter } = countedBody(300 * 1024 * 1024);
    const answer = await login(app, stream, {
      'content-type': FORM,
      'content-length': '314572800',
    });
    expect(answer.status).toBe(413);
    expect(counter.pulled).toBeLessThanOrEqual(CHUNK_BYTES);
  });

  it('answers 415 to a login body that is not a plain form', async () => {
    const app = await collector({ ipRate: null });
    const refused: Record<string, string>[] = [
      { 'content-type': 'multipart/form-data; boundary=x' },
      { 'content-type': 'application/json' },
      { 'content-type': FORM, 'content-encoding': 'gzip' },
    ];
    for (const headers of refused) {
      const answer = await login(app, 'secret=x', headers);
      expect(answer.status).toBe(415);
      expect(await answer.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
    }
  });

  it('counts /live requests against the per-IP limit', async () => {
    const app = await collector({ ipRate: { requestsPerSecond: 1, burst: 3 } });
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push((await app.request('/live')).status);
    const login = await app.request('/live/login', {
      method: 'POST',
      body: new URLSearchParams({ secret: 'a guess' }),
    });
    const events = await app.request('/live/events');
    expect(answers).toEqual([200, 200, 200]);
    expect([login.status, events.status]).toEqual([429, 429]);
    expect(login.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await login.json()).toMatchObject({ error: { code: 'rate_limited' } });
  });
});
