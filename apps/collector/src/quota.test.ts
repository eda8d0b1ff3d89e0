import { describe, expect, it } from 'vitest';
import { createCollectorApp } from './app.js';
import { createUsageCounters } from './source-usage.js';
import { memoryQueuePerTest, queue, queued } from './test-queue.js';
import { expectError, trackEvent } from './test-support.js';

// Issue 24: a source over its quota is refused (429 with Retry-After); others are not.

memoryQueuePerTest();

const T0 = Date.parse('2026-03-01T10:00:15.000Z');
const config = {
  limits: { ipRate: null, ipEventRate: null, ipByteRate: null },
  sources: [
    {
      id: 'small',
      writeKeys: ['wk_small'],
      limits: { quota: { eventsPerMinute: 5, eventsPerDay: 8 } },
    },
    { id: 'big', writeKeys: ['wk_big'] },
  ],
};

function setup() {
  let now = T0;
  const usage = createUsageCounters();
  const app = createCollectorApp({ queue, config, now: () => now, usage });
  const send = (key: string, events: number) =>
    app.request('/v1/batch', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        writeKey: key,
        batch: Array.from({ length: events }, () => trackEvent()),
      }),
    });
  return { app, usage, send, at: (ms: number) => (now = ms) };
}

describe('quotas per source', () => {
  it('refuses a source over its events per minute until the next minute; another source is not affected', async () => {
    const { send, at, usage } = setup();
    expect((await send('wk_small', 3)).status).toBe(200);
    const refused = await send('wk_small', 3);
    await expectError(refused, 429, 'quota_exceeded');
    // 10:00:15 now: the minute starts again in 45 s.
    expect(refused.headers.get('retry-after')).toBe('45');
    // The refused events are not counted: 2 more still fit this minute.
    expect((await send('wk_small', 2)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await send('wk_big', 100)).status).toBe(200);
    at(T0 + 45_000);
    expect((await send('wk_small', 3)).status).toBe(200);
    expect(usage.get('small', T0 + 45_000)).toMatchObject({ dayEvents: 8, totalEvents: 8 });
    expect(usage.get('big', T0 + 45_000)).toMatchObject({ dayEvents: 500 });
    expect((await queued()).length).toBe(508);
  });

  it('refuses a source over its events per day until midnight UTC', async () => {
    const { send, at } = setup();
    expect((await send('wk_small', 5)).status).toBe(200);
    at(T0 + 60_000);
    expect((await send('wk_small', 3)).status).toBe(200);
    at(T0 + 120_000);
    const refused = await send('wk_small', 1);
    await expectError(refused, 429, 'quota_exceeded');
    const midnight = Date.parse('2026-03-02T00:00:00.000Z');
    expect(Number(refused.headers.get('retry-after'))).toBe((midnight - (T0 + 120_000)) / 1000);
    at(midnight);
    expect((await send('wk_small', 5)).status).toBe(200);
  });

  it('keeps the counts when the app is built again from a reloaded config', async () => {
    const usage = createUsageCounters();
    const first = createCollectorApp({ queue, config, now: () => T0, usage });
    const body = (n: number) =>
      JSON.stringify({
        writeKey: 'wk_small',
        batch: Array.from({ length: n }, () => trackEvent()),
      });
    const post = (app: typeof first, n: number) =>
      app.request('/v1/batch', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: body(n),
      });
    expect((await post(first, 5)).status).toBe(200);
    const reloaded = createCollectorApp({ queue, config, now: () => T0, usage });
    expect((await post(reloaded, 1)).status).toBe(429);
  });
});
