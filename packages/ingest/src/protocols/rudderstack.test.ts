import { describe, expect, it } from 'vitest';
import { ingestBatch } from '../ingest-batch.js';
import { bodyOf } from '../test-support.js';
import { fromRudderStack, isRudderStackRequest, RUDDER_NODE_LIBRARY } from './rudderstack.js';

const ctx = {
  sourceId: 'app',
  receivedAtMs: Date.parse('2026-03-01T12:00:00.000Z'),
  newId: () => 'generated',
};

// The batch RudderStack's Android SDK (1.x) posts to /v1/batch, trimmed to the fields that matter.
const androidBatch = {
  sentAt: '2026-03-01T11:59:59.000Z',
  batch: [
    {
      messageId: '1772366390000-2b6c-4e1e',
      channel: 'mobile',
      context: {
        app: { name: 'Shop', version: '1.0' },
        library: { name: 'com.rudderstack.android.sdk.core', version: '1.21.0' },
        traits: { anonymousId: 'c8f1-anon' },
      },
      type: 'screen',
      event: 'MainActivity',
      properties: { name: 'MainActivity', automatic: true },
      anonymousId: 'c8f1-anon',
      userId: '',
      originalTimestamp: '2026-03-01T11:59:58.000Z',
      integrations: { All: true },
    },
    {
      messageId: '1772366390001-9a0c-4b1f',
      channel: 'mobile',
      context: { library: { name: 'com.rudderstack.android.sdk.core', version: '1.21.0' } },
      type: 'track',
      event: 'Product Viewed',
      properties: { sku: 'A-1' },
      anonymousId: 'c8f1-anon',
      originalTimestamp: '2026-03-01T11:59:58.500Z',
    },
  ],
};

describe('the RudderStack mapping', () => {
  it('recognises RudderStack by its headers, its form content type or its library', () => {
    const plain = { batch: [{ type: 'track' }] };
    expect(isRudderStackRequest({}, plain)).toBe(false);
    expect(isRudderStackRequest({ anonymousId: 'YQ==' }, plain)).toBe(true);
    expect(isRudderStackRequest({ contentType: 'application/x-www-form-urlencoded' }, plain)).toBe(
      true,
    );
    expect(isRudderStackRequest({}, androidBatch)).toBe(true);
  });

  it("stores the mobile SDKs' batch: screen named, empty userId dropped, the client's time kept", () => {
    const result = ingestBatch(fromRudderStack(androidBatch, {}), ctx);
    expect(result.rejected).toEqual([]);
    const [screen, track] = result.messages.map(bodyOf);
    expect(screen).toMatchObject({
      type: 'screen',
      name: 'MainActivity',
      userId: null,
      anonymousId: 'c8f1-anon',
      channel: 'mobile',
      originalTimestamp: '2026-03-01T11:59:58.000Z',
      // receivedAt − (sentAt − originalTimestamp)
      timestamp: '2026-03-01T11:59:59.000Z',
    });
    expect(track).toMatchObject({ event: 'Product Viewed', messageId: '1772366390001-9a0c-4b1f' });
  });

  it('takes the anonymous id and the send time from the JS SDK headers when the body lacks them', () => {
    const event = { type: 'page', messageId: 'm', channel: 'web', userId: '' };
    const mapped = fromRudderStack(
      { batch: [event] },
      { anonymousId: btoa('anon-from-header'), sentAt: '2026-03-01T11:59:00.000Z' },
    ).batch[0];
    expect(mapped).toMatchObject({
      anonymousId: 'anon-from-header',
      userId: null,
      sentAt: '2026-03-01T11:59:00.000Z',
    });
  });

  it('ignores an anonymousid header that is not base64 of an id', () => {
    const mapped = fromRudderStack(
      { batch: [{ type: 'track', anonymousId: '' }] },
      { anonymousId: '%%%' },
    ).batch[0];
    expect(mapped?.anonymousId).toBeNull();
  });

  it("names the Node SDK, which calls itself analytics-node like Segment's old library", () => {
    const node = {
      type: 'track',
      channel: 'server',
      context: { library: { name: 'analytics-node', version: '3.0.13' } },
    };
    expect(fromRudderStack({ batch: [node] }, {}).batch[0]?.context).toEqual({
      library: { name: RUDDER_NODE_LIBRARY, version: '3.0.13' },
    });
    // Segment's own analytics-node sends no channel: left as it is.
    const segment = { ...node, channel: undefined };
    expect(fromRudderStack({ batch: [segment] }, {}).batch[0]?.context).toEqual(node.context);
  });
});
