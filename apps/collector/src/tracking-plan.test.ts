import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryQueue, type Queue } from '@sluice/queue';
import { orderPlanYaml } from '@sluice/testkit/plans';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollectorApp } from './app.js';
import { loadCollectorConfig } from './config-file.js';
import { reloadableApp } from './config-reload.js';
import { type RunningCollector, startCollector } from './node.js';
import {
  backend,
  basicAuth,
  blog,
  bodyOf,
  readQueue,
  shop,
  testSources,
  trackEvent,
} from './test-support.js';

// The shop's plan quarantines, the blog's flags; the backend has none.
const SHOP_PLAN = orderPlanYaml();
const BLOG_PLAN = {
  onViolation: 'flag',
  events: {
    track: { 'Order Completed': { properties: { properties: { price: { type: 'number' } } } } },
  },
};

let dir: string;
let queue: Queue;
let collector: RunningCollector;

async function writeConfig(plans: Record<string, string>, planOf: Record<string, string>) {
  await mkdir(join(dir, 'plans'), { recursive: true });
  for (const [name, text] of Object.entries(plans)) await writeFile(join(dir, 'plans', name), text);
  const sources = testSources.map((s) => (planOf[s.id] ? { ...s, plan: planOf[s.id] } : s));
  const file = join(dir, 'sluice.config.json');
  await writeFile(file, JSON.stringify({ limits: { ipRate: null }, sources }));
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-plan-'));
  const file = await writeConfig(
    { 'shop.yaml': SHOP_PLAN, 'blog.json': JSON.stringify(BLOG_PLAN) },
    { shop: 'plans/shop.yaml', blog: 'plans/blog.json' },
  );
  const { config } = await loadCollectorConfig({ env: { SLUICE_CONFIG: file } });
  queue = createMemoryQueue();
  collector = await startCollector({ queue, config, logger: false });
});
afterAll(async () => {
  await collector.close();
  await queue.close();
  await rm(dir, { recursive: true, force: true });
});

async function send(headers: Record<string, string>, body: unknown) {
  const res = await fetch(`${collector.url}/v1/batch`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as {
    accepted: number;
    rejected: { messageId: string; errors: { path: string; message: string }[] }[];
  };
}

/** A stored event, or a quarantine record (`reason`, `event`). */
interface Stored {
  properties: Record<string, unknown>;
  context?: Record<string, unknown>;
  reason?: unknown;
  event?: { properties: Record<string, unknown> };
}

async function storedById(messageId: string) {
  const entry = (await readQueue(queue)).find((e) => e.id === messageId);
  if (!entry) throw new Error(`${messageId} was not queued`);
  return { kind: entry.kind, body: bodyOf(entry) as unknown as Stored };
}

const order = (price: unknown) =>
  trackEvent({ event: 'Order Completed', properties: { price, currency: 'EUR' } });

describe('a source with a plan that says quarantine', () => {
  it('sends an event with a wrong property type to quarantine with the schema path', async () => {
    const bad = order('12.50');
    const good = order(12.5);
    const answer = await send({ Origin: shop.origin }, { writeKey: shop.key, batch: [bad, good] });
    expect(answer.accepted).toBe(1);
    const issue = { path: 'properties/price', message: expect.stringContaining('must be number') };
    expect(answer.rejected).toEqual([{ index: 0, messageId: bad.messageId, errors: [issue] }]);
    expect(answer.rejected[0]?.errors[0]?.message).toContain('"Order Completed"');
    const quarantined = await storedById(bad.messageId as string);
    expect(quarantined.kind).toBe('quarantine');
    expect(quarantined.body.reason).toEqual([issue]);
    expect(quarantined.body.event?.properties.price).toBe('12.50');
    expect((await storedById(good.messageId as string)).kind).toBe('event');
  });

  it('quarantines an event name the plan does not list', async () => {
    const other = trackEvent({ event: 'Cart Abandoned' });
    const answer = await send({ Origin: shop.origin }, { writeKey: shop.key, batch: [other] });
    expect(answer.rejected[0]?.errors).toEqual([
      { path: 'event', message: 'track "Cart Abandoned" is not in the tracking plan' },
    ]);
  });

  it('counts violations by source and planned event name, never by a name a client made up', async () => {
    const text = await (await fetch(`${collector.url}/metrics`)).text();
    expect(text).toContain('sluice_plan_violations_total{source="shop",event="Order Completed"} 1');
    expect(text).toContain('sluice_plan_violations_total{source="shop",event="_unplanned"} 1');
    expect(text).not.toContain('Cart Abandoned');
    expect(text).toMatch(
      /sluice_events_quarantined_total\{source="shop",reason="plan_violation"\} 2/,
    );
  });
});

describe('a source with a plan that says flag', () => {
  it('keeps the violating event, with its issues in context.planViolations', async () => {
    const bad = order('12.50');
    const answer = await send({ Origin: blog.origin }, { writeKey: blog.key, batch: [bad] });
    expect(answer).toMatchObject({ accepted: 1, rejected: [] });
    const stored = await storedById(bad.messageId as string);
    expect(stored.kind).toBe('event');
    expect(stored.body.properties.price).toBe('12.50');
    expect(stored.body.context?.planViolations).toEqual([
      { path: 'properties/price', message: expect.stringContaining('must be number') },
    ]);
  });
});

describe('a source without a plan', () => {
  it('stores the same event unchanged, unflagged', async () => {
    const bad = order('12.50');
    const answer = await send({ Authorization: basicAuth(backend.key) }, { batch: [bad] });
    expect(answer).toMatchObject({ accepted: 1, rejected: [] });
    const stored = await storedById(bad.messageId as string);
    expect(stored.kind).toBe('event');
    expect(stored.body.properties).toEqual({ price: '12.50', currency: 'EUR' });
    expect(stored.body.context?.planViolations).toBeUndefined();
  });
});

describe('loading plans with the config', () => {
  it('refuses a plan whose schema is broken, naming the place in the plan', async () => {
    const broken = orderPlanYaml({ priceType: 'numbr' });
    const file = await writeConfig({ 'broken.yaml': broken }, { shop: 'plans/broken.yaml' });
    await expect(loadCollectorConfig({ env: { SLUICE_CONFIG: file } })).rejects.toThrow(
      /sources\.0\.plan\.events\.track\.Order Completed\.properties\.properties\.price\.type: must be equal to one of the allowed values/,
    );
  });

  it('refuses a config whose plan file is missing, naming the file', async () => {
    const file = await writeConfig({}, { shop: 'plans/none.yaml' });
    await expect(loadCollectorConfig({ env: { SLUICE_CONFIG: file } })).rejects.toThrow(
      /sources\.0\.plan: cannot read .*plans\/none\.yaml/,
    );
  });
});

describe('a config reload', () => {
  it('reads and compiles the plan file again: the new plan judges the next request', async () => {
    const file = await writeConfig({ 'reload.yaml': SHOP_PLAN }, { shop: 'plans/reload.yaml' });
    const load = async () => (await loadCollectorConfig({ env: { SLUICE_CONFIG: file } })).config;
    const reloadQueue = createMemoryQueue();
    const app = reloadableApp(
      (config) => createCollectorApp({ queue: reloadQueue, config }),
      await load(),
      { load, signal: false },
      undefined,
    );
    const post = async () => {
      const res = await app.fetch(
        new Request('http://collector/v1/batch', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Origin: shop.origin },
          body: JSON.stringify({ writeKey: shop.key, batch: [order('12.50')] }),
        }),
      );
      return ((await res.json()) as { rejectedCount: number }).rejectedCount;
    };
    expect(await post()).toBe(1);
    await writeFile(join(dir, 'plans', 'reload.yaml'), orderPlanYaml({ priceType: 'string' }));
    expect(await app.reload()).toBe(true);
    expect(await post()).toBe(0);
    app.close();
    await reloadQueue.close();
  });
});
