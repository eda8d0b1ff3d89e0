import { EVENT_TYPES } from '@sluice/schema';
import { describe, expect, it } from 'vitest';
import { createCollectorApp } from './app.js';
import { memoryQueuePerTest, queue, queued } from './test-queue.js';
import { backend, bodyOf, expectAccepted, expectError, shop, testConfig } from './test-support.js';

memoryQueuePerTest();

function send(path: string, body: unknown, headers: Record<string, string> = {}) {
  return createCollectorApp({ queue, config: testConfig }).request(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

// One event of each type as Segment's HTTP API documents it, without its type.
const calls: Record<string, Record<string, unknown>> = {
  track: { userId: 'u1', event: 'Item Purchased', properties: { revenue: 39.95 } },
  page: { userId: 'u1', name: 'Pricing', properties: { url: 'https://shop.example/pricing' } },
  screen: { userId: 'u1', name: 'Home' },
  identify: { userId: 'u1', traits: { email: 'peter@example.com' } },
  group: { userId: 'u1', groupId: 'g1', traits: { name: 'Initech' } },
  alias: { previousId: 'anon-1', userId: 'u1' },
};

describe("the short paths of Segment's own SDKs", () => {
  it.each([
    ['/v1/t', 'track'],
    ['/v1/p', 'page'],
    ['/v1/s', 'screen'],
    ['/v1/i', 'identify'],
    ['/v1/g', 'group'],
    ['/v1/a', 'alias'],
  ])('POST %s queues one %s event', async (path, type) => {
    const res = await send(path, {
      ...calls[type],
      type,
      messageId: `s-${type}`,
      writeKey: backend.key,
    });
    expect(res.status).toBe(200);
    const [entry] = await queued();
    expect(bodyOf(entry!)).toMatchObject({ ...calls[type], type, messageId: `s-${type}` });
  });

  it.each(['/v1/b', '/v1/import'])(
    'POST %s takes a batch, as the mobile SDKs send it',
    async (path) => {
      const batch = [
        { ...calls.track, type: 'track', messageId: 'b1' },
        { ...calls.screen, type: 'screen', messageId: 'b2' },
      ];
      const res = await send(path, { batch, writeKey: backend.key });
      await expectAccepted(res, 2);
      expect((await queued()).map((entry) => entry.id)).toEqual(['b1', 'b2']);
    },
  );
});

describe('the Segment single-event routes', () => {
  it.each(EVENT_TYPES)('POST /v1/%s queues one event of that type', async (type) => {
    const messageId = `m-${type}`;
    const res = await send(`/v1/${type}`, { ...calls[type], messageId, writeKey: backend.key });
    await expectAccepted(res, 1);
    const [entry] = await queued();
    expect(entry).toMatchObject({ id: messageId, source: 'backend', kind: 'event' });
    const stored = bodyOf(entry!);
    expect(stored).toMatchObject({ ...calls[type], type, messageId });
    // The key authenticated the request; it is not part of the stored event.
    expect(stored).not.toHaveProperty('writeKey');
  });

  it('takes a secret key as Bearer token, as servers send it', async () => {
    const res = await send(
      '/v1/track',
      { ...calls.track, messageId: 'm1' },
      { Authorization: `Bearer ${backend.secret}` },
    );
    expect(res.status).toBe(200);
    expect((await queued())[0]?.source).toBe('backend');
  });

  it('quarantines an event whose type is not the route’s, answering which and why', async () => {
    const res = await send('/v1/track', {
      ...calls.identify,
      type: 'identify',
      messageId: 'm2',
      writeKey: backend.key,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      success: true,
      accepted: 0,
      rejectedCount: 1,
      rejected: [
        {
          index: 0,
          messageId: 'm2',
          errors: [{ path: 'type', message: 'type must be "track" on this endpoint' }],
        },
      ],
    });
    expect((await queued()).map((e) => e.kind)).toEqual(['quarantine']);
  });

  it('quarantines an invalid event with its reasons, and keeps it', async () => {
    const res = await send('/v1/group', { userId: 'u1', messageId: 'm3', writeKey: backend.key });
    const answer = (await res.json()) as { rejected: { errors: { path: string }[] }[] };
    expect(answer.rejected[0]?.errors.map((e) => e.path)).toEqual(['groupId']);
    const [entry] = await queued();
    expect(entry?.kind).toBe('quarantine');
    expect(bodyOf(entry!).event).toEqual({ userId: 'u1', messageId: 'm3', type: 'group' });
  });

  it('applies the same authentication and origin checks as /v1/batch', async () => {
    await expectError(
      await send('/v1/page', { ...calls.page, messageId: 'x' }),
      401,
      'unauthorized',
    );
    await expectError(
      await send(
        '/v1/page',
        { ...calls.page, messageId: 'x', writeKey: shop.key },
        { Origin: 'https://evil.example' },
      ),
      403,
      'origin_not_allowed',
    );
    const allowed = await send(
      '/v1/page',
      { ...calls.page, messageId: 'x', writeKey: shop.key },
      { Origin: shop.origin },
    );
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(shop.origin);
    expect(await queued()).toHaveLength(1);
  });

  it.each(EVENT_TYPES)('answers GET /v1/%s with 405', async (type) => {
    const res = await createCollectorApp({ queue, config: testConfig }).request(`/v1/${type}`);
    await expectError(res, 405, 'method_not_allowed');
    expect(res.headers.get('allow')).toBe('POST');
  });
});
