import { createMemoryQueue, type Queue } from '@sluice/queue';
import type { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCollectorApp } from '../app.js';
import { parseCollectorConfig } from '../config.js';
import { hashSecretKey } from '../secret-keys.js';
import { shop, testSources, trackEvent } from '../test-support.js';
import type { LiveUpdate } from './live-feed.js';
import { createLiveView, type LiveView } from './live-view.js';

const SECRET = 'admin-secret-for-tests';
let queue: Queue;
let live: LiveView;
let app: Hono;

beforeEach(async () => {
  queue = createMemoryQueue();
  const config = parseCollectorConfig({
    limits: { ipRate: null },
    sources: testSources,
    admin: { secretHash: await hashSecretKey(SECRET) },
  });
  live = createLiveView(config.admin!, { flushEveryMs: 20 });
  app = createCollectorApp({ queue, config, liveView: live });
});
afterEach(async () => {
  live.close();
  await queue.close();
});

function send(body: unknown): Promise<Response> {
  return Promise.resolve(
    app.request('/v1/batch', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify(body),
    }),
  );
}

/** Reads SSE `update` messages from a response until `until` accepts the ones read so far. */
async function readUpdates(res: Response, until: (updates: LiveUpdate[]) => boolean) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const updates: LiveUpdate[] = [];
  let buffer = '';
  while (!until(updates)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const data = /^data: (.*)$/m.exec(buffer.slice(0, end))?.[1];
      if (data) updates.push(JSON.parse(data) as LiveUpdate);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf('\n\n');
    }
  }
  await reader.cancel();
  return updates;
}

describe('the live view', () => {
  it('shows the login form, not the view, without the admin secret', async () => {
    const page = await app.request('/live');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain('action="/live/login"');
    expect(html).not.toContain('/live/app.js');
    expect((await app.request('/live/events')).status).toBe(401);
    const wrongBearer = await app.request('/live/events', {
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrongBearer.status).toBe(401);
  });

  it('logs in with the form into an HttpOnly session cookie, never a secret in a URL', async () => {
    const wrong = await app.request('/live/login', {
      method: 'POST',
      body: new URLSearchParams({ secret: 'guess' }),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();

    const right = await app.request('/live/login', {
      method: 'POST',
      body: new URLSearchParams({ secret: SECRET }),
    });
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toBe('/live');
    const cookie = right.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(
      /^sluice_live=\d+\.[\w-]+\.[\w-]+; Max-Age=43200; Path=\/live; HttpOnly; SameSite=Strict$/,
    );
    expect(cookie).not.toContain(SECRET);
    const session = cookie.split(';')[0]!;
    const page = await app.request('/live', { headers: { cookie: session } });
    expect(await page.text()).toContain('<script src="/live/app.js" defer></script>');
    // A forged or altered session is refused.
    const forged = session.replace(/\.(.)/, (_, c: string) => `.${c === 'A' ? 'B' : 'A'}`);
    expect((await app.request('/live/events', { headers: { cookie: forged } })).status).toBe(401);
  });

  it('streams accepted, quarantined and refused events as they arrive', async () => {
    const stream = await app.request('/live/events', {
      headers: { authorization: `Bearer ${SECRET}` },
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reading = readUpdates(stream, (updates) =>
      updates.some((u) => u.events.some((e) => e.result === 'rejected')),
    );
    await send({
      writeKey: shop.key,
      batch: [trackEvent({ event: 'Order Completed' }), { type: 'track', messageId: 'bad-1' }],
    });
    await send({ writeKey: 'not-a-key', batch: [trackEvent()] });
    const updates = await reading;
    expect(updates[0]?.events).toEqual([]);
    const rows = updates.flatMap((u) => u.events);
    expect(rows.map((r) => [r.result, r.source, r.type, r.name])).toEqual([
      ['accepted', 'shop', 'track', 'Order Completed'],
      ['quarantined', 'shop', 'track', undefined],
      ['rejected', undefined, undefined, undefined],
    ]);
    expect(rows[1]?.detail).toMatch(/^event: /);
    expect(rows[2]?.detail).toBe('401 unauthorized on POST /v1/batch');
    expect(updates.at(-1)?.counts.at(-1)).toMatchObject({
      accepted: 1,
      quarantined: 1,
      rejected: 1,
    });
  });

  it('serves its script and style as files, so the page needs no inline code', async () => {
    const script = await app.request('/live/app.js');
    expect(script.headers.get('content-type')).toMatch(/^application\/javascript/);
    expect(await script.text()).toContain("new EventSource('/live/events')");
    const style = await app.request('/live/style.css');
    expect(style.headers.get('content-type')).toMatch(/^text\/css/);
  });
});
