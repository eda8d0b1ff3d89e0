// Segment's HTTP Tracking API as its documentation shows it (the examples on its "HTTP API
// source" page: no messageId, historical timestamps, batch-level context and integrations),
// sent as plain requests to a running collector, each one twice as a client retrying after a
// lost answer would: every event must be stored once, in the hour of its own timestamp.
import { describe, expect, it } from 'vitest';
import { useSdkPipeline } from './sdk-pipeline.js';

const WRITE_KEY = 'wk_http_api';
const pipeline = useSdkPipeline([{ id: 'http-api', writeKeys: [WRITE_KEY] }]);

// The documented form `base64("<writeKey>:")`, and the one without the colon Segment takes too.
const withColon = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;
const withoutColon = `Basic ${Buffer.from(WRITE_KEY).toString('base64')}`;

async function post(path: string, body: unknown, authorization: string) {
  const res = await fetch(`${pipeline.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: authorization },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const documented: Array<[string, Record<string, unknown>]> = [
  [
    '/v1/identify',
    {
      userId: '019mr8mf4r',
      traits: { email: 'pgibbons@example.com', name: 'Peter Gibbons', industry: 'Technology' },
      context: { ip: '24.5.68.47' },
      timestamp: '2012-12-02T00:30:08.276Z',
    },
  ],
  [
    '/v1/track',
    {
      userId: '019mr8mf4r',
      event: 'Item Purchased',
      properties: { name: 'Leap to Conclusions Mat', revenue: 14.99 },
      context: { ip: '24.5.68.47' },
      timestamp: '2012-12-02T00:30:08.276Z',
    },
  ],
  [
    '/v1/page',
    { userId: '019mr8mf4r', name: 'Tracking HTTP API', timestamp: '2012-12-02T00:30:08.276Z' },
  ],
  [
    '/v1/screen',
    { userId: '019mr8mf4r', name: 'Tracking HTTP API', timestamp: '2012-12-02T00:30:08.276Z' },
  ],
  [
    '/v1/group',
    {
      userId: '019mr8mf4r',
      groupId: '8e9df332ac',
      traits: {
        name: 'Initech',
        industry: 'Technology',
        employees: 329,
        plan: 'enterprise',
        'total billed': 830,
      },
      timestamp: '2012-12-02T00:30:08.276Z',
    },
  ],
  [
    '/v1/alias',
    {
      previousId: '39239-239239-239239-23923',
      userId: '019mr8mf4r',
      timestamp: '2012-12-02T00:30:08.276Z',
    },
  ],
];

const importBody = {
  batch: [
    {
      type: 'identify',
      userId: '019mr8mf4r',
      traits: { email: 'pgibbons@example.com', name: 'Peter Gibbons' },
      timestamp: '2012-12-02T00:30:08.276Z',
    },
    {
      type: 'track',
      userId: '019mr8mf4r',
      event: 'Song Played',
      properties: { name: 'Fallin for You', artist: 'Dierks Bentley' },
      timestamp: '2012-12-02T00:30:12.984Z',
    },
    {
      type: 'identify',
      userId: '971mj8mk7p',
      traits: { email: 'bgates@example.com', name: 'Bill Gates' },
      timestamp: '2012-12-02T00:30:14.434Z',
    },
    {
      type: 'track',
      userId: '971mj8mk7p',
      event: 'Song Played',
      properties: { name: 'Fallin for You', artist: 'Dierks Bentley' },
      timestamp: '2012-12-02T00:30:20.452Z',
    },
  ],
  context: { device: { type: 'phone', name: 'Apple iPhone 6' } },
  integrations: { All: false, Mixpanel: true, Salesforce: true },
};

describe("Segment's documented HTTP API requests", () => {
  it('stores each documented call once, in its own hour of 2012, though every request came twice', async () => {
    const answers = [];
    for (const [i, [path, body]] of documented.entries()) {
      const auth = i % 2 === 0 ? withColon : withoutColon;
      answers.push(await post(path, body, auth), await post(path, body, auth));
    }
    answers.push(await post('/v1/import', importBody, withColon));
    answers.push(await post('/v1/batch', importBody, withoutColon));
    for (const answer of answers) {
      expect(answer).toMatchObject({ status: 200, json: { success: true, rejectedCount: 0 } });
    }

    const stored = await pipeline.stored(10);
    // The forwarder has had a moment more to write any repeat it did not drop.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const events = (await pipeline.stored(10)).map((line) => line.event);
    expect(pipeline.acknowledged).toHaveLength(20);
    expect(events).toHaveLength(10);
    expect(new Set(events.map((e) => e.messageId)).size).toBe(10);
    for (const { key } of stored) {
      expect(key).toMatch(/^events\/source=http-api\/dt=2012-12-02\/hh=00\//);
    }
    const byKind = (type: string, field: string, value: unknown) =>
      events.filter((e) => e.type === type && e[field] === value);
    expect(byKind('track', 'event', 'Item Purchased')[0]).toMatchObject({
      userId: '019mr8mf4r',
      properties: { revenue: 14.99 },
      timestamp: '2012-12-02T00:30:08.276Z',
      // The user's address as the call gave it, anonymized; a server's is never added.
      context: { ip: '24.5.68.0' },
    });
    expect(byKind('page', 'name', 'Tracking HTTP API')[0]?.context).toBeUndefined();
    expect(byKind('alias', 'previousId', '39239-239239-239239-23923')).toHaveLength(1);
    // The batch's context and integrations reach each of its events.
    const played = byKind('track', 'event', 'Song Played');
    expect(played).toHaveLength(2);
    for (const event of played) {
      expect(event).toMatchObject({
        context: { device: { type: 'phone', name: 'Apple iPhone 6' } },
        integrations: { All: false, Mixpanel: true, Salesforce: true },
      });
    }
  });

  it('answers an unknown write key with 401 and a JSON error', async () => {
    const res = await post(
      '/v1/track',
      documented[1]![1],
      `Basic ${Buffer.from('nope').toString('base64')}`,
    );
    expect(res).toMatchObject({ status: 401, json: { error: { code: 'unauthorized' } } });
  });
});
