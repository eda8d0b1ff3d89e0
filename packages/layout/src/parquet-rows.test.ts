import { describe, expect, it } from 'vitest';
import { encodeNdjsonText } from './ndjson.js';
import { parquetCodec } from './parquet.js';
import { eventToRow, rowToEvent } from './parquet-rows.js';

const TIME = Date.UTC(2026, 10, 24, 10, 30);
const ISO = new Date(TIME).toISOString();

// Events whose shapes differ from each other and from the schema in every way the typed
// columns could lose a value.
const EVENTS = [
  {
    type: 'track',
    event: 'Order Completed',
    messageId: 'm1',
    userId: 'u1',
    timestamp: ISO,
    sentAt: '2026-11-24T11:30:00+01:00', // another ISO form: kept as sent
    properties: { price: 9.5, tags: ['a'] },
    context: {
      page: { url: 'https://shop.example/x', hash: '#h' },
      library: { name: 'js' },
      ip: '1.2.3.4',
    },
    custom: { nested: true },
  },
  {
    type: 'track',
    event: 'Order Completed',
    messageId: 'm2',
    userId: 42, // a number where the column holds strings
    timestamp: ISO,
    receivedAt: 'not a time',
    properties: { price: 'free' },
    context: { page: 'not an object' },
  },
  { type: 'identify', messageId: 'm3', anonymousId: 'a1', timestamp: ISO, traits: { plan: null } },
];

describe('Parquet rows', () => {
  it('splits the page and library fields of context into columns and keeps the rest as JSON', () => {
    const row = eventToRow(EVENTS[0] as Record<string, unknown>, TIME);
    expect(row).toMatchObject({
      context_page_url: 'https://shop.example/x',
      context_library_name: 'js',
      context_library_version: null,
      context: { page: { hash: '#h' }, ip: '1.2.3.4' },
      sentAt: BigInt(TIME) * 1000n, // microseconds, as Iceberg's timestamptz
      extra: { sentAt: '2026-11-24T11:30:00+01:00', custom: { nested: true } },
    });
  });

  it('gives back every event as it was, whatever its shape (mixed types across events)', async () => {
    const codec = parquetCodec();
    const ndjson = encodeNdjsonText(EVENTS.map((event) => JSON.stringify(event)));
    const back = new TextDecoder().decode(await codec.toNdjson(await codec.fromNdjson(ndjson)));
    const events = back
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events).toEqual(EVENTS);
    // Written again from what was read: the same events (compaction of a compacted file).
    expect(rowToEvent(eventToRow(events[1], TIME))).toEqual(EVENTS[1]);
  });

  it('keeps keys named __proto__ at the top, in properties and in context', async () => {
    // JSON.parse makes own properties of them; an assignment would set a prototype instead.
    const text = JSON.stringify({
      type: 'track',
      messageId: 'm4',
      timestamp: ISO,
      properties: { plan: 'pro', nested: { k: 1 } },
      context: { page: { url: 'https://x.example/', p: 2 }, ip: '1.2.3.4' },
      custom: 'kept',
    })
      .replace('"plan"', '"__proto__":{"polluted":true},"plan"')
      .replace('"k"', '"__proto__":3,"k"')
      .replace('"p":', '"__proto__":"page","p":')
      .replace('"ip"', '"__proto__":null,"ip"')
      .replace('"custom"', '"__proto__":{"top":1},"custom"');
    const event = JSON.parse(text);
    expect(Object.keys(event.properties)).toContain('__proto__');

    const codec = parquetCodec();
    const back = new TextDecoder().decode(
      await codec.toNdjson(await codec.fromNdjson(encodeNdjsonText([text]))),
    );
    const parsed = JSON.parse(back);
    expect(parsed).toEqual(event);
    for (const value of [parsed, parsed.properties, parsed.properties.nested, parsed.context]) {
      expect(Object.keys(value)).toContain('__proto__');
    }
    expect(Object.keys(parsed.context.page)).toContain('__proto__');
    const direct = rowToEvent(eventToRow(event, TIME));
    expect(Object.getPrototypeOf(direct)).toBe(Object.prototype);
    expect(direct).toEqual(event);
    expect(Object.keys(direct)).toContain('__proto__');
  });
});
