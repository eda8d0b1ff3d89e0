// RudderStack's Node SDK, @rudderstack/rudder-sdk-node (npm, unchanged), against a running
// collector: its one setting `dataPlaneUrl` points at sluice. It posts gzip JSON labelled as a
// form to /v1/batch, with `originalTimestamp` and `channel`; every call is stored once. A
// refused flush would be thrown from the SDK's timer into this process: none may happen.
import { createRequire } from 'node:module';
import { expect, it } from 'vitest';
import { useSdkPipeline } from './sdk-pipeline.js';

// The package is CommonJS; its ESM build imports its JSON without an import attribute.
const RudderAnalytics = createRequire(import.meta.url)('@rudderstack/rudder-sdk-node') as new (
  writeKey: string,
  options: Record<string, unknown>,
) => Record<string, (message: Record<string, unknown>) => void> & { flush(): Promise<unknown> };

const WRITE_KEY = 'wk_rudder_node';
const pipeline = useSdkPipeline([{ id: 'rudder-node', writeKeys: [WRITE_KEY] }]);

it('delivers identify, track, page, screen, group and alias, each stored once and named by its SDK', async () => {
  const failures: unknown[] = [];
  const client = new RudderAnalytics(WRITE_KEY, {
    dataPlaneUrl: pipeline.url,
    flushAt: 3,
    flushInterval: 50,
    logLevel: 'error',
    errorHandler: (error: unknown) => failures.push(error),
  });
  client.identify!({ userId: 'user-1', traits: { plan: 'pro' } });
  client.track!({ userId: 'user-1', event: 'Order Completed', properties: { revenue: 42 } });
  client.page!({ userId: 'user-1', name: 'Pricing', properties: { path: '/pricing' } });
  client.screen!({ anonymousId: 'anon-1', name: 'Home' });
  client.group!({ userId: 'user-1', groupId: 'initech', traits: { employees: 12 } });
  client.alias!({ userId: 'user-1', previousId: 'anon-1' });
  await client.flush();

  const events = (await pipeline.stored(6)).map((line) => line.event);
  expect(failures).toEqual([]);
  expect(events.map((e) => e.type).sort()).toEqual(
    ['alias', 'group', 'identify', 'page', 'screen', 'track'].sort(),
  );
  expect(new Set(events.map((e) => e.messageId)).size).toBe(6);
  const track = events.find((e) => e.type === 'track')!;
  expect(track).toMatchObject({
    userId: 'user-1',
    event: 'Order Completed',
    properties: { revenue: 42 },
    channel: 'server',
    originalTimestamp: expect.any(String),
    context: { library: { name: '@rudderstack/rudder-sdk-node', version: '3.0.13' } },
  });
  // A server SDK: its own User-Agent is not the user's, its address not the user's either.
  expect(track.context).not.toHaveProperty('userAgent');
  expect(track.context).not.toHaveProperty('ip');
  expect(events.find((e) => e.type === 'screen')).toMatchObject({
    anonymousId: 'anon-1',
    name: 'Home',
  });
  expect(await pipeline.stored(0, 'quarantine/')).toEqual([]);
});

it('hears a 401 for an unknown write key through its error handler, and nothing is stored', async () => {
  const acknowledgedBefore = pipeline.acknowledged.length;
  const failures: Array<{ response?: { status?: number } }> = [];
  const client = new RudderAnalytics('wk_unknown', {
    dataPlaneUrl: pipeline.url,
    flushInterval: 50,
    logLevel: 'error',
    retryCount: 0,
    errorHandler: (error: { response?: { status?: number } }) => failures.push(error),
  });
  client.track!({ userId: 'user-9', event: 'Nope' });
  await client.flush().catch(() => {});
  expect(failures.map((f) => f.response?.status)).toContain(401);
  expect(pipeline.acknowledged).toHaveLength(acknowledgedBefore);
});
