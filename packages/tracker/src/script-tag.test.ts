import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SluiceGlobal, type SluiceHost, startFromScript } from './script-tag.js';
import { startTestCollector, type TestCollector } from './test-collector.js';
import { sleep, started } from './test-tracker.js';

// The snippet from the README, run as the page would run it.
const SNIPPET = 'window.sluice=window.sluice||function(){(sluice.q=sluice.q||[]).push(arguments)}';
const host = window as unknown as SluiceHost;
const sluice = () => host.sluice as SluiceGlobal;
let collector: TestCollector;

const scriptTag = (data: Record<string, string>, src = `${collector.endpoint}/sluice.js`) => {
  const script = document.createElement('script');
  script.src = src;
  Object.assign(script.dataset, data);
  return script;
};
const sentEvents = () => collector.accepted();

beforeEach(async () => {
  collector = await startTestCollector();
  localStorage.clear();
});
afterEach(async () => {
  // Quiet, for the next tests: records, sends and stores nothing more.
  sluice()?.consent?.(false);
  Reflect.deleteProperty(window, 'sluice');
  await collector.close();
});

describe('the script tag', () => {
  it('replays calls made through the snippet in order, then records the page view', async () => {
    new Function(SNIPPET)();
    sluice()('identify', 'user-1', { plan: 'pro' });
    sluice()('track', 'Clicked', { n: 1 });
    sluice()('page', 'Early');
    startFromScript(scriptTag({ key: 'wk_tag', endpoint: collector.endpoint }), host);
    await started();
    sluice().flush();
    await collector.waitFor(() => sentEvents().length === 4);
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

  it('applies a consent call queued before load to the page view on load', async () => {
    new Function(SNIPPET)();
    sluice()('consent', false);
    startFromScript(scriptTag({ key: 'wk', endpoint: collector.endpoint }), host);
    await started();
    sluice().flush();
    await sleep(100);
    expect(collector.requests).toEqual([]);
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
    await collector.waitFor(() => sentEvents().length === 2);
    expect(sentEvents().map((e) => e.event)).toEqual(['by name', 'by method']);
  });

  it('reads options from data attributes: numbers, booleans and text', async () => {
    startFromScript(
      scriptTag({
        key: 'wk',
        endpoint: `${collector.endpoint}/`,
        autoPageview: 'false',
        flushAt: '2',
        cookieless: 'true',
      }),
      host,
    );
    await started();
    sluice().track('one');
    await sleep(50);
    expect(collector.requests).toEqual([]); // flushAt 2, no page view
    sluice().track('two');
    await collector.waitFor(() => sentEvents().length === 2);
    expect(collector.requests.find((r) => r.method === 'POST')!.path).toBe('/v1/batch');
    expect(Object.keys(localStorage)).toEqual([]); // cookieless
  });

  it('takes the options data attributes cannot carry (beforeSend) from the snippet', async () => {
    new Function(SNIPPET)();
    (host.sluice as { options?: unknown }).options = {
      beforeSend: (event: { type: string }) => (event.type === 'page' ? null : event),
    };
    startFromScript(scriptTag({ key: 'wk', endpoint: collector.endpoint }), host);
    sluice().track('kept');
    await started();
    sluice().flush();
    await collector.waitFor(() => sentEvents().length === 1);
    await sleep(50);
    expect(sentEvents().map((e) => e.type)).toEqual(['track']);
  });

  it("sends to the script's origin when data-endpoint is not set and it is served at the root", async () => {
    startFromScript(scriptTag({ key: 'wk' }, `${collector.endpoint}/s.js?v=1`), host);
    await started();
    sluice().flush();
    await collector.waitForPosts(1);
    expect(collector.requests.find((r) => r.method === 'POST')!.path).toBe('/v1/batch');
  });

  it("sends under the script's own path prefix when data-endpoint is not set (first-party)", async () => {
    startFromScript(scriptTag({ key: 'wk' }, `${collector.endpoint}/a/x.0123abcd.js?v=1`), host);
    await started();
    sluice().flush();
    await collector.waitForPosts(1);
    expect(collector.requests.find((r) => r.method === 'POST')!.path).toBe('/a/v1/batch');
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
    await started();
    sluice().flush();
    await collector.waitForPosts(1);
    await sleep(50);
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
