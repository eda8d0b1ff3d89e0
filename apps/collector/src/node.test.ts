import { createMemoryQueue, type Queue } from '@sluice/queue';
import { MAX_REQUEST_BYTES } from '@sluice/schema';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningCollector, startCollector } from './node.js';
import { readQueue, SHOP_KEY, SHOP_ORIGIN, testConfig, trackEvent } from './test-support.js';

let queue: Queue;
let collector: RunningCollector;
beforeEach(async () => {
  queue = createMemoryQueue();
  collector = await startCollector({ queue, config: testConfig, tagScript: '/* tag */' });
});
afterEach(async () => {
  await collector.close();
  await queue.close();
});

/** A body streamed in pieces: sent with Transfer-Encoding: chunked, no Content-Length. */
function chunked(text: string, pieceBytes = 16 * 1024): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + pieceBytes));
      offset += pieceBytes;
    },
  });
}

describe('startCollector', () => {
  it('listens on a free loopback port and serves health and the tag', async () => {
    expect(collector.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${collector.url}/s.js`)).text()).toBe('/* tag */');
  });

  it('takes a beacon over HTTP and answers only after the queue holds it', async () => {
    const event = trackEvent();
    const res = await fetch(`${collector.url}/v1/batch`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain;charset=UTF-8', Origin: SHOP_ORIGIN },
      body: JSON.stringify({ writeKey: SHOP_KEY, batch: [event] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(SHOP_ORIGIN);
    expect(await res.json()).toEqual({ success: true, accepted: 1, rejected: [] });
    expect((await readQueue(queue)).map((e) => e.id)).toEqual([event.messageId]);
  });

  it('accepts a chunked body under the limit', async () => {
    const body = JSON.stringify({ writeKey: SHOP_KEY, batch: [trackEvent(), trackEvent()] });
    const res = await fetch(`${collector.url}/v1/batch`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: chunked(body, 64),
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(200);
    expect(await readQueue(queue)).toHaveLength(2);
  });

  it('refuses a chunked body over the limit with 413 and queues nothing', async () => {
    const padding = 'x'.repeat(MAX_REQUEST_BYTES);
    const body = JSON.stringify({ writeKey: SHOP_KEY, batch: [trackEvent({ padding })] });
    const res = await fetch(`${collector.url}/v1/batch`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: chunked(body),
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'payload_too_large' } });
    expect(await readQueue(queue)).toEqual([]);
  });
});
