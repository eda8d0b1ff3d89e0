// The official Segment server SDK, unchanged, sending to a real collector on 127.0.0.1:
// only its `host` points at sluice.
import { Analytics } from '@segment/analytics-node';
import { type Queue, QueueFullError } from '@sluice/queue';
import { afterEach, describe, expect, it } from 'vitest';
import type { CollectorConfigInput } from './config.js';
import { type RunningCollector, startCollector } from './node.js';
import { memoryQueuePerTest, queue, queued } from './test-queue.js';
import { backend, bodyOf, testConfig, testSources } from './test-support.js';

// Registered first so that its afterEach runs last, after the collector has closed.
memoryQueuePerTest();
let collector: RunningCollector | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

async function client(writeKey: string, config: CollectorConfigInput = testConfig, q = queue) {
  collector = await startCollector({ queue: q, config, logger: false });
  const analytics = new Analytics({ writeKey, host: collector.url, flushInterval: 50 });
  const errors: unknown[] = [];
  analytics.on('error', (error) => errors.push(error));
  return { analytics, errors };
}

function everyCall(analytics: Analytics, userId: string): void {
  analytics.identify({ userId, traits: { plan: 'pro' } });
  analytics.track({ userId, event: 'Order Completed', properties: { revenue: 42 } });
  analytics.page({ userId, name: 'Pricing', properties: { path: '/pricing' } });
  analytics.screen({ userId, name: 'Home' });
  analytics.group({ userId, groupId: 'initech', traits: { employees: 12 } });
  analytics.alias({ userId, previousId: 'anon-7' });
}

describe('@segment/analytics-node as the client', () => {
  it('delivers every kind of call, each once, to the source of its write key', async () => {
    const { analytics, errors } = await client(backend.key);
    everyCall(analytics, 'user-1');
    await analytics.closeAndFlush({ timeout: 20_000 });
    expect(errors).toEqual([]);

    const entries = await queued();
    expect(entries.map((e) => [e.kind, e.source])).toEqual(Array(6).fill(['event', 'backend']));
    expect(new Set(entries.map((e) => e.id)).size).toBe(6);
    const events = entries.map(bodyOf);
    expect(events.map((e) => e.type)).toEqual([
      'identify',
      'track',
      'page',
      'screen',
      'group',
      'alias',
    ]);
    expect(events[1]).toMatchObject({
      userId: 'user-1',
      event: 'Order Completed',
      properties: { revenue: 42 },
      context: { library: { name: expect.stringContaining('analytics-node') } },
    });
    // Stored with server fields, without the SDK's own User-Agent taken for the user's.
    expect(events[1]).toHaveProperty('receivedAt');
    expect((events[1]!.context as Record<string, unknown>).userAgent).toBeUndefined();
  });

  it('authenticates with a secret key given as its write key', async () => {
    const { analytics, errors } = await client(backend.secret);
    analytics.track({ userId: 'user-2', event: 'Signed Up' });
    await analytics.closeAndFlush({ timeout: 20_000 });
    expect(errors).toEqual([]);
    expect((await queued()).map((e) => e.source)).toEqual(['backend']);
  });

  it('hears 401 for an unknown key, and nothing is stored', async () => {
    const { analytics, errors } = await client('wk_unknown');
    analytics.track({ userId: 'user-3', event: 'Signed Up' });
    await analytics.closeAndFlush({ timeout: 20_000 });
    expect(String((errors[0] as { reason?: unknown }).reason)).toContain('[401]');
    expect(await queued()).toEqual([]);
  });

  it('retries after a 503 from a full queue and delivers the events once', async () => {
    let refusals = 0;
    const filling: Queue = {
      ...queue,
      append: async (messages) => {
        if (refusals++ === 0) throw new QueueFullError('disk budget reached', 1);
        await queue.append(messages);
      },
    };
    const { analytics, errors } = await client(backend.key, testConfig, filling);
    everyCall(analytics, 'user-4');
    await analytics.closeAndFlush({ timeout: 20_000 });
    expect(errors).toEqual([]);
    expect(refusals).toBeGreaterThan(1);
    const ids = (await queued()).map((e) => e.id);
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
  });

  it("waits out a 429's Retry-After and then delivers everything", async () => {
    const config = {
      limits: { ipRate: null },
      sources: testSources.map((s) =>
        s.id === 'backend' ? { ...s, limits: { rate: { requestsPerSecond: 1, burst: 1 } } } : s,
      ),
    };
    collector = await startCollector({ queue, config, logger: false });
    // One event per request, so the second request meets the limit.
    const analytics = new Analytics({ writeKey: backend.key, host: collector.url, flushAt: 1 });
    const errors: unknown[] = [];
    analytics.on('error', (error) => errors.push(error));
    const statuses: number[] = [];
    analytics.on('http_response', (response) => statuses.push(response.status));
    for (let i = 0; i < 3; i++) analytics.track({ userId: 'user-5', event: `Step ${i}` });
    await analytics.closeAndFlush({ timeout: 20_000 });
    expect(errors).toEqual([]);
    expect(statuses).toContain(429);
    const events = (await queued()).map(bodyOf).map((e) => e.event);
    expect(events.sort()).toEqual(['Step 0', 'Step 1', 'Step 2']);
  });
});
