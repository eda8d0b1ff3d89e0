// RudderStack's requests on the shared tracking routes: what is mapped, and that bad input
// still gets a 4xx or goes to quarantine with its reason, never a 5xx.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createCollectorApp } from './app.js';
import { memoryQueuePerTest, queue, queued } from './test-queue.js';
import { backend, basicAuth, bodyOf, expectError, shop, testConfig } from './test-support.js';

memoryQueuePerTest();

const FORM = 'application/x-www-form-urlencoded';

function post(path: string, body: BodyInit, headers: Record<string, string>) {
  return createCollectorApp({ queue, config: testConfig }).request(path, {
    method: 'POST',
    headers,
    body,
  });
}

describe('RudderStack on the tracking routes', () => {
  it("reads the Node SDK's gzip JSON labelled as a form", async () => {
    const body = gzipSync(
      JSON.stringify({
        batch: [
          {
            type: 'track',
            event: 'Paid',
            userId: 'u1',
            messageId: 'r-1',
            channel: 'server',
            originalTimestamp: '2026-03-01T10:00:00.000Z',
            context: { library: { name: 'analytics-node', version: '3.0.13' } },
          },
        ],
        sentAt: '2026-03-01T10:00:00.100Z',
      }),
    );
    const res = await post('/v1/batch', body, {
      'Content-Type': FORM,
      'Content-Encoding': 'gzip',
      Authorization: basicAuth(backend.key),
    });
    expect(res.status).toBe(200);
    expect(bodyOf((await queued())[0]!)).toMatchObject({
      messageId: 'r-1',
      context: { library: { name: '@rudderstack/rudder-sdk-node' } },
    });
  });

  it('refuses a real form body (not JSON) with 400 and queues nothing', async () => {
    const res = await post('/v1/batch', 'batch=1&writeKey=x', {
      'Content-Type': FORM,
      Authorization: basicAuth(backend.key),
    });
    await expectError(res, 400, 'invalid_json');
    expect(await queued()).toEqual([]);
  });

  it('quarantines a JS SDK event whose anonymousid header is not base64, with the reason', async () => {
    const res = await post(
      '/v1/track',
      JSON.stringify({ type: 'track', event: 'X', messageId: 'j-1', userId: '', channel: 'web' }),
      {
        'Content-Type': 'application/json;charset=UTF-8',
        Authorization: basicAuth(shop.key),
        Origin: shop.origin,
        AnonymousId: '%%not base64%%',
        SentAt: '2026-03-01T10:00:00.000Z',
      },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      accepted: 0,
      rejected: [
        {
          messageId: 'j-1',
          errors: [{ path: 'userId', message: 'userId or anonymousId is required' }],
        },
      ],
    });
    expect((await queued()).map((e) => [e.kind, e.id])).toEqual([['quarantine', 'j-1']]);
  });
});
