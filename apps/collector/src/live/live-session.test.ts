import { createMemoryQueue, type Queue } from '@sluice/queue';
import type { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { createCollectorApp } from '../app.js';
import { parseCollectorConfig } from '../config.js';
import { hashSecretKey } from '../secret-keys.js';
import { testSources } from '../test-support.js';
import { createLiveView, type LiveView } from './live-view.js';

// Issue 15, finding 7: a cross-site form could log the admin out, a copied cookie outlived
// the logout by 12 h, and any client could claim HTTPS with X-Forwarded-Proto.
const SECRET = 'adm_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';
let queue: Queue | undefined;
let live: LiveView | undefined;

async function collector(trustProxy = 0): Promise<Hono> {
  queue = createMemoryQueue();
  const config = parseCollectorConfig({
    trustProxy,
    limits: { ipRate: null },
    sources: testSources,
    admin: { secretHash: await hashSecretKey(SECRET) },
  });
  live = createLiveView(config.admin!);
  return createCollectorApp({ queue, config, liveView: live });
}
afterEach(async () => {
  live?.close();
  await queue?.close();
});

async function logIn(app: Hono, url = 'http://collector.test/live/login', headers = {}) {
  const answer = await app.request(url, {
    method: 'POST',
    headers,
    body: new URLSearchParams({ secret: SECRET }),
  });
  return { status: answer.status, cookie: answer.headers.get('set-cookie') ?? '' };
}
const viewStatus = async (app: Hono, session: string) =>
  (await app.request('http://collector.test/live/events', { headers: { cookie: session } })).status;

describe('live view sessions', () => {
  it('refuses a cross-site login or logout with 403, and the session stays', async () => {
    const app = await collector();
    const session = (await logIn(app)).cookie.split(';')[0]!;
    const crossSite: Record<string, string>[] = [
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'null' },
      { origin: 'https://collector.test' },
    ];
    for (const headers of crossSite) {
      for (const path of ['/live/logout', '/live/login']) {
        const answer = await app.request(`http://collector.test${path}`, {
          method: 'POST',
          headers: { ...headers, cookie: session },
          body: new URLSearchParams({ secret: SECRET }),
        });
        expect(answer.status).toBe(403);
        expect(await answer.json()).toMatchObject({ error: { code: 'origin_not_allowed' } });
        expect(answer.headers.get('set-cookie')).toBeNull();
      }
    }
    expect(await viewStatus(app, session)).toBe(200);
    // The view's own page still logs in and out.
    const own = { origin: 'http://collector.test', 'sec-fetch-site': 'same-origin' };
    expect((await logIn(app, undefined, own)).status).toBe(303);
  });

  it('kills the session at logout, even where its cookie was copied', async () => {
    const app = await collector();
    const session = (await logIn(app)).cookie.split(';')[0]!;
    const copy = session;
    const logout = await app.request('http://collector.test/live/logout', {
      method: 'POST',
      headers: { cookie: session },
    });
    expect(logout.status).toBe(303);
    expect(logout.headers.get('set-cookie')).toMatch(/^sluice_live=; Max-Age=0; Path=\/live/);
    expect(await viewStatus(app, copy)).toBe(401);
    const page = await app.request('http://collector.test/live', { headers: { cookie: copy } });
    expect(await page.text()).toContain('action="/live/login"');
  });

  it('sets a __Host- Secure cookie under HTTPS, and believes X-Forwarded-Proto only from a trusted proxy', async () => {
    const direct = await collector();
    const https = await logIn(direct, 'https://collector.test/live/login');
    expect(https.cookie).toMatch(
      /^__Host-sluice_live=[\w.-]+; Max-Age=43200; Path=\/; HttpOnly; Secure; SameSite=Strict$/,
    );
    const session = https.cookie.split(';')[0]!;
    const events = await direct.request('https://collector.test/live/events', {
      headers: { cookie: session },
    });
    expect(events.status).toBe(200);
    await events.body?.cancel();
    // A client's own X-Forwarded-Proto is not believed without trustProxy.
    const forged = await logIn(direct, undefined, { 'x-forwarded-proto': 'https' });
    expect(forged.cookie).toMatch(/^sluice_live=.*; Path=\/live; HttpOnly; SameSite=Strict$/);
    live?.close();
    await queue?.close();

    const proxied = await collector(1);
    const behindTls = await logIn(proxied, undefined, { 'x-forwarded-proto': 'https' });
    expect(behindTls.cookie).toMatch(/^__Host-sluice_live=.*; Path=\/; HttpOnly; Secure;/);
  });
});
