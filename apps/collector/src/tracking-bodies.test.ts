import { MAX_REQUEST_BYTES } from '@sluice/schema';
import { describe, expect, it } from 'vitest';
import { createCollectorApp } from './app.js';
import { memoryQueuePerTest, queue, queued } from './test-queue.js';
import { expectError, shop, testConfig, trackEvent } from './test-support.js';

memoryQueuePerTest();

async function gzip(text: string | Uint8Array): Promise<Uint8Array> {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function post(body: BodyInit, headers: Record<string, string>) {
  return createCollectorApp({ queue, config: testConfig }).request('/v1/batch', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body,
  });
}

describe('request bodies', () => {
  it('accepts a gzip body (Content-Encoding: gzip)', async () => {
    const body = JSON.stringify({ writeKey: shop.key, batch: [trackEvent(), trackEvent()] });
    const res = await post((await gzip(body)) as BodyInit, { 'Content-Encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(await queued()).toHaveLength(2);
  });

  it('refuses a gzip body that inflates past the limit with 413, and queues nothing', async () => {
    // Under 500 KB on the wire, far over it once inflated.
    const padding = ' '.repeat(4 * MAX_REQUEST_BYTES);
    const body = `{"writeKey":"${shop.key}","batch":[${JSON.stringify(trackEvent())}]${padding}}`;
    const compressed = await gzip(body);
    expect(compressed.length).toBeLessThan(MAX_REQUEST_BYTES);
    const res = await post(compressed as BodyInit, { 'Content-Encoding': 'gzip' });
    await expectError(res, 413, 'payload_too_large');
    expect(await queued()).toEqual([]);
  });

  it('answers a body that is not the gzip it claims with 400', async () => {
    const res = await post('{"batch": []}', { 'Content-Encoding': 'gzip' });
    await expectError(res, 400, 'unreadable_body');
  });

  it('refuses other encodings with 415', async () => {
    await expectError(
      await post('{}', { 'Content-Encoding': 'br' }),
      415,
      'unsupported_media_type',
    );
  });

  it('answers invalid UTF-8 with 400 rather than storing replacement characters', async () => {
    const bytes = new TextEncoder().encode(
      JSON.stringify({ writeKey: shop.key, batch: [trackEvent({ event: 'X' })] }),
    );
    const at = bytes.indexOf('X'.charCodeAt(0));
    bytes[at] = 0xff;
    await expectError(await post(bytes as BodyInit, {}), 400, 'invalid_json');
    expect(await queued()).toEqual([]);
  });
});
