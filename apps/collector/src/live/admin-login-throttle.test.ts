import { createMemoryQueue, type Queue } from '@sluice/queue';
import type { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { createCollectorApp } from '../app.js';
import { parseCollectorConfig } from '../config.js';
import { hashSecretKey } from '../secret-keys.js';
import { testSources } from '../test-support.js';
import { ADMIN_FAILURE_RULES } from './auth-failures.js';
import { createLiveView, type LiveView } from './live-view.js';

// Issue 15, finding 2: 600 wrong logins took 0.84 s, all 401, never 429.
const SECRET = 'adm_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';
let clock = 1_000_000;
let queue: Queue | undefined;
let live: LiveView | undefined;
let clientIp = '203.0.113.9';

async function collector(): Promise<Hono> {
  queue = createMemoryQueue();
  const config = parseCollectorConfig({
    limits: { ipRate: null },
    sources: testSources,
    admin: { secretHash: await hashSecretKey(SECRET) },
  });
  live = createLiveView(config.admin!, { now: () => clock });
  return createCollectorApp({ queue, config, liveView: live, clientIp: () => clientIp });
}
afterEach(async () => {
  live?.close();
  await queue?.close();
});

const login = (app: Hono, secret: string) =>
  Promise.resolve(
    app.request('/live/login', { method: 'POST', body: new URLSearchParams({ secret }) }),
  );
const bearer = (app: Hono, secret: string) =>
  Promise.resolve(app.request('/live/events', { headers: { authorization: `Bearer ${secret}` } }));

describe('guessing the admin secret', () => {
  it('locks a client out with 429 and Retry-After after a few wrong secrets, form or Bearer', async () => {
    const app = await collector();
    const statuses: number[] = [];
    for (let i = 0; i < 300; i++) statuses.push((await login(app, `guess-${i}`)).status);
    for (let i = 0; i < 300; i++) statuses.push((await bearer(app, `guess-${i}`)).status);
    const free = ADMIN_FAILURE_RULES.freeFailures;
    expect(statuses.slice(0, free)).toEqual(Array(free).fill(401));
    expect(statuses.filter((s) => s === 401)).toHaveLength(free + 1);
    expect(statuses.filter((s) => s === 429)).toHaveLength(600 - free - 1);

    // Even the right secret waits out the lockout: a guess that hits is not told apart.
    const locked = await login(app, SECRET);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await locked.json()).toMatchObject({ error: { code: 'rate_limited' } });
    expect((await bearer(app, SECRET)).status).toBe(429);

    // Another address is not locked out by this one.
    clientIp = '198.51.100.7';
    expect((await login(app, SECRET)).status).toBe(303);
    clientIp = '203.0.113.9';
    clock += Number(locked.headers.get('retry-after')) * 1000;
    expect((await login(app, SECRET)).status).toBe(303);
  });

  it('throttles a burst of concurrent guesses like a sequence of them', async () => {
    const app = await collector();
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => login(app, `burst-${i}`)),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(
      ADMIN_FAILURE_RULES.freeFailures + 1,
    );
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(94);
  });
});
