import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { send } from './send.js';
import { startTestCollector, type TestCollector } from './test-collector.js';

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const body = '{"writeKey":"wk","sentAt":"2026-01-01T00:00:00.000Z","batch":[{"type":"page"}]}';
let collector: TestCollector;
let fetchCalls: [string, RequestInit | undefined][];

beforeAll(async () => {
  collector = await startTestCollector();
});
afterAll(() => collector.close());
beforeEach(() => {
  collector.requests.length = 0;
  fetchCalls = [];
  // Watch fetch, and let it really send.
  const realFetch = globalThis.fetch;
  vi.stubGlobal('fetch', (url: string, init?: RequestInit) => {
    fetchCalls.push([url, init]);
    return realFetch(url, init);
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  Reflect.deleteProperty(navigator, 'sendBeacon');
});

describe('send', () => {
  it('hands the body to sendBeacon as a string and does not fetch as well', async () => {
    const beacon = vi.spyOn(navigator, 'sendBeacon');
    send(`${collector.endpoint}/v1/batch`, body);
    await collector.waitForPosts(1);
    await sleep(20);
    expect(beacon).toHaveBeenCalledWith(`${collector.endpoint}/v1/batch`, body);
    expect(fetchCalls).toHaveLength(0);
    expect(collector.bodies()).toEqual([JSON.parse(body)]);
  });

  it('falls back to fetch keepalive when the browser refuses the beacon', async () => {
    vi.spyOn(navigator, 'sendBeacon').mockReturnValue(false);
    send(`${collector.endpoint}/v1/batch`, body);
    await collector.waitForPosts(1);
    expect(fetchCalls).toEqual([
      [`${collector.endpoint}/v1/batch`, { method: 'POST', body, keepalive: true }],
    ]);
    const posts = collector.requests.filter((r) => r.method === 'POST');
    expect(posts.map((r) => [r.path, r.contentType, r.body])).toEqual([
      ['/v1/batch', 'text/plain;charset=UTF-8', body],
    ]);
  });

  it('uses fetch keepalive where sendBeacon is missing (or removed by a blocker)', async () => {
    Object.defineProperty(navigator, 'sendBeacon', { value: undefined, configurable: true });
    send(`${collector.endpoint}/v1/batch`, body);
    await collector.waitForPosts(1);
    expect(fetchCalls).toHaveLength(1);
    expect(fetchCalls[0]![1]).toMatchObject({ keepalive: true });
  });

  it('keeps a failed fetch off the page: no unhandled rejection', async () => {
    Object.defineProperty(navigator, 'sendBeacon', { value: undefined, configurable: true });
    const closed = await startTestCollector();
    await closed.close();
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      send(`${closed.endpoint}/v1/batch`, body);
      await sleep(100);
      expect(fetchCalls).toHaveLength(1);
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });
});
