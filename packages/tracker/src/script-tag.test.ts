import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type SluiceGlobal, type SluiceHost, startFromScript } from './script-tag.js';
import { startTestCollector, type TestCollector } from './test-collector.js';

// The snippet from the README, run as the page would run it.
const SNIPPET = 'window.sluice=window.sluice||function(){(sluice.q=sluice.q||[]).push(arguments)}';
const host = window as unknown as SluiceHost;
const sluice = () => host.sluice as SluiceGlobal;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
let collector: TestCollector;

const scriptTag = (data: Record<string, string>, src = `${collector.endpoint}/sluice.js`) => {
  const script = document.createElement('script');
  script.src = src;
  Object.assign(script.dataset, data);
  return script;
};
const sentEvents = () => collector.bodies().flatMap((b) => b.batch);

beforeAll(async () => {
  collector = await startTestCollector();
});
afterAll(() => collector.close());
beforeEach(() => {
  collector.requests.length = 0;
  localStorage.clear();
});
afterEach(() => {
  sluice()?.flush?.();
  Reflect.deleteProperty(window, 'sluice');
});

describe('the script tag', () => {
  it('replays calls made through the snippet in order, then records the page view', async () => {
    new Function(SNIPPET)();
    sluice()('identify', 'user-1', { plan: 'pro' });
    sluice()('track', 'Clicked', { n: 1 });
    sluice()('page', 'Early');
    startFromScript(scriptTag({ key: 'wk_tag', endpoint: collector.endpoint }), host);
    sluice().flush();
    await collector.waitForPosts(1);
    expect(collector.bodies()[0]!.writeKey).toBe('wk_tag');
    const events = sentEvents();
    expect(events.map((e) => [e.type, e.event ?? e.name ?? null])).toEqual([
      ['identify', null],
      ['track', 'Clicked'],
      ['page', 'Early'],
      ['page', null],
    ]);
    expect(events[1]).toMatchObject({ properties: { n: 1 }, userId: 'user-1' });
    expect(events[3]!.userId).toBe('user-1');
  });

  it('answers both sluice(method, ...args) and sluice.method(...args)', async () => {
    new Function(SNIPPET)();
    startFromScript(
      scriptTag({ key: 'wk', endpoint: collector.endpoint, autoPageview: 'false' }),
      host,
    );
    sluice()('track', 'by name');
    sluice().track('by method');
    sluice()('flush');
    await collector.waitForPosts(1);
    expect(sentEvents().map((e) => e.event)).toEqual(['by name', 'by method']);
  });

  it("sends to the script's origin when data-endpoint is not set", async () => {
    startFromScript(scriptTag({ key: 'wk' }, `${collector.endpoint}/js/sluice.js?v=1`), host);
    sluice().flush();
    await collector.waitForPosts(1);
    expect(collector.requests.find((r) => r.method === 'POST')!.path).toBe('/v1/batch');
  });

  it('skips the page view on load with data-auto-pageview="false"', async () => {
    startFromScript(
      scriptTag({ key: 'wk', endpoint: collector.endpoint, autoPageview: 'false' }),
      host,
    );
    sluice().flush();
    await sleep(50);
    expect(collector.requests).toHaveLength(0);
  });

  it('does not start without data-key, leaving queued calls alone', () => {
    new Function(SNIPPET)();
    sluice()('track', 'queued');
    startFromScript(scriptTag({ endpoint: collector.endpoint }), host);
    expect(sluice().track).toBeUndefined();
    expect((host.sluice as { q: unknown[] }).q).toHaveLength(1);
  });

  it('does not count twice when the tag is on the page twice', async () => {
    startFromScript(scriptTag({ key: 'wk', endpoint: collector.endpoint }), host);
    const first = sluice();
    startFromScript(scriptTag({ key: 'wk', endpoint: collector.endpoint }), host);
    expect(sluice()).toBe(first);
    sluice().flush();
    await collector.waitForPosts(1);
    await sleep(30);
    expect(sentEvents()).toHaveLength(1);
  });

  it('throws nothing into the page for unknown methods or a missing script element', () => {
    startFromScript(
      scriptTag({ key: 'wk', endpoint: collector.endpoint, autoPageview: 'false' }),
      host,
    );
    expect(() => sluice()('nope' as 'track', 'x')).not.toThrow();
    Reflect.deleteProperty(window, 'sluice');
    expect(() => startFromScript(null, host)).not.toThrow();
  });
});
