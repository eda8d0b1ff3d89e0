import { fromWireMessage, type WireMessage } from '@sluice/queue/cloudflare';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WorkerEnv } from './env.js';
import { createFetchHandler } from './fetch-handler.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const config = (key: string) => JSON.stringify({ sources: [{ id: 'backend', writeKeys: [key] }] });

/**
 * Bindings with a producer that records what it is sent. The real Cloudflare Queue runs in
 * workerd (worker.test.ts); here it only has to show which config the handler used.
 */
function envWith(configText: string | undefined) {
  const sent: WireMessage[] = [];
  const env = {
    SLUICE_CONFIG: configText,
    EVENTS_QUEUE: {
      async sendBatch(messages: Iterable<{ body: WireMessage }>) {
        for (const message of messages) sent.push(message.body);
        return { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } };
      },
    },
  } as unknown as WorkerEnv;
  return { env, sent };
}

const batch = (writeKey: string) =>
  new Request('http://collector.test/v1/batch', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      writeKey,
      batch: [{ type: 'track', event: 'Paid', messageId: `m-${writeKey}`, userId: 'u1' }],
    }),
  });

describe('the Worker fetch handler', () => {
  it('answers 500 without details when SLUICE_CONFIG is missing or broken, and logs why', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const fetch = createFetchHandler(undefined);
    for (const text of [undefined, '{"sources":', '{"sources":[]}']) {
      const res = await fetch(batch('wk_a'), envWith(text).env);
      expect(res.status).toBe(500);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error).toEqual({
        code: 'internal_error',
        message: 'the collector is not configured; see the Worker logs',
      });
    }
    expect(logged.mock.calls.map(([error]) => String(error))).toEqual([
      expect.stringMatching(/SLUICE_CONFIG is not set/),
      expect.stringMatching(/SLUICE_CONFIG is not valid JSON/),
      expect.stringMatching(/sources/),
    ]);
  });

  it('queues through the producer binding and follows a changed config', async () => {
    const fetch = createFetchHandler(undefined);
    const first = envWith(config('wk_a'));
    expect((await fetch(batch('wk_a'), first.env)).status).toBe(200);
    expect(first.sent.map((wire) => fromWireMessage(wire).id)).toEqual(['m-wk_a']);

    // A new secret value reaches the same isolate: the old key stops working, the new one works.
    const second = envWith(config('wk_b'));
    expect((await fetch(batch('wk_a'), second.env)).status).toBe(401);
    expect((await fetch(batch('wk_b'), second.env)).status).toBe(200);
    expect(second.sent.map((wire) => wire.id)).toEqual(['m-wk_b']);
  });
});
