import { describe, expect, it } from 'vitest';
import { ingestBatch } from '../ingest-batch.js';
import { bodyOf } from '../test-support.js';
import { fromSnowplow, snowplowPayload, snowplowQueryEvent } from './snowplow.js';

const receivedAtMs = Date.parse('2026-03-01T12:00:00.000Z');
const ctx = { sourceId: 'site', receivedAtMs, newId: () => 'generated' };
const b64url = (value: unknown) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(value))))
    .replace(/=/g, '')
    .replace(/\+/g, '-')
    .replace(/\//g, '_');

const entities = {
  schema: 'iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0',
  data: [
    {
      schema: 'iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0',
      data: { id: 'wp-1' },
    },
  ],
};
const checkout = {
  schema: 'iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0',
  data: {
    schema: 'iglu:com.acme/checkout_started/jsonschema/1-0-2',
    data: { cart: 'c-1', items: 3 },
  },
};

// The fields @snowplow/browser-tracker 4.10 sends with every event (its page view, trimmed).
const common = {
  tv: 'js-4.10.1',
  tna: 'sp1',
  aid: 'site-1',
  p: 'web',
  cookie: '1',
  cs: 'UTF-8',
  lang: 'en-US',
  res: '1280x720',
  cd: '24',
  tz: 'Europe/Berlin',
  dtm: '1772366398000',
  stm: '1772366399000',
  vp: '1280x600',
  ds: '1280x900',
  vid: '1',
  sid: 'c1d2-session',
  duid: 'd0e1-device',
  url: 'https://shop.example/pricing?plan=pro',
  refr: 'https://search.example/',
};

function ingest(events: Record<string, unknown>[]) {
  const { batch, issues } = fromSnowplow(events);
  return ingestBatch(batch, { ...ctx, presetIssues: issues });
}

describe('the Snowplow mapping', () => {
  it('stores a page view as a page, its entities and every unplaced parameter in context.snowplow', () => {
    const result = ingest([
      { ...common, e: 'pv', eid: 'e-pv', page: 'Pricing', co: JSON.stringify(entities) },
    ]);
    expect(result.rejected).toEqual([]);
    const stored = bodyOf(result.messages[0]!);
    expect(stored).toMatchObject({
      type: 'page',
      messageId: 'e-pv',
      anonymousId: 'd0e1-device',
      userId: null,
      originalTimestamp: '2026-03-01T11:59:58.000Z',
      sentAt: '2026-03-01T11:59:59.000Z',
      // Skew-corrected: sent one second after it happened, so one second before receivedAt.
      timestamp: '2026-03-01T11:59:59.000Z',
      properties: { title: 'Pricing', url: common.url, path: '/pricing', search: '?plan=pro' },
      context: {
        page: { url: common.url, title: 'Pricing', referrer: 'https://search.example/' },
        library: { name: 'snowplow-js', version: '4.10.1', namespace: 'sp1' },
        locale: 'en-US',
        timezone: 'Europe/Berlin',
        screen: { width: 1280, height: 720 },
        viewport: { width: 1280, height: 600 },
        snowplow: {
          entities: entities.data,
          aid: 'site-1',
          p: 'web',
          cookie: '1',
          cs: 'UTF-8',
          cd: '24',
          ds: '1280x900',
          vid: '1',
          sid: 'c1d2-session',
        },
      },
    });
    // Placed parameters are not stored twice.
    expect(Object.keys(stored.context as object)).not.toContain('url');
    expect(Object.keys((stored.context as { snowplow: object }).snowplow).sort()).toEqual(
      ['aid', 'cd', 'cookie', 'cs', 'ds', 'entities', 'p', 'sid', 'vid'].sort(),
    );
  });

  it('names a self-describing event by its schema, data as properties, from JSON or base64 alike', () => {
    const asJson = { ...common, e: 'ue', eid: 'e-ue1', ue_pr: JSON.stringify(checkout) };
    const asBase64 = {
      ...common,
      e: 'ue',
      eid: 'e-ue2',
      ue_px: b64url(checkout),
      cx: b64url(entities),
    };
    const result = ingest([asJson, asBase64]);
    expect(result.rejected).toEqual([]);
    for (const message of result.messages) {
      expect(bodyOf(message)).toMatchObject({
        type: 'track',
        event: 'checkout_started',
        properties: { cart: 'c-1', items: 3 },
        context: { snowplow: { schema: 'iglu:com.acme/checkout_started/jsonschema/1-0-2' } },
      });
    }
    expect(bodyOf(result.messages[1]!)).toMatchObject({
      context: { snowplow: { entities: entities.data } },
    });
  });

  it("reads the client_session entity's eventIndex into context.eventIndex (the delivery ledger's)", () => {
    const session = (data: Record<string, unknown>) => ({
      schema: 'iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-2',
      data: { sessionId: 'c1d2-session', sessionIndex: 1, userId: 'd0e1-device', ...data },
    });
    const withSession = (eid: string, data: Record<string, unknown>) => ({
      ...common,
      e: 'pv',
      eid,
      cx: b64url({ ...entities, data: [...entities.data, session(data)] }),
    });
    const result = ingest([
      withSession('e-1', { eventIndex: 4 }),
      withSession('e-2', { eventIndex: 'four' }), // not a number: left in the entity only
      { ...common, e: 'pv', eid: 'e-3' },
    ]);
    expect(result.rejected).toEqual([]);
    const stored = result.messages.map((m) => bodyOf(m).context as Record<string, unknown>);
    expect(stored.map((c) => c.eventIndex)).toEqual([4, undefined, undefined]);
    expect((stored[1]!.snowplow as { entities: unknown[] }).entities).toHaveLength(2);
  });

  it('maps structured events, page pings and transactions onto tracks with numeric values', () => {
    const result = ingest([
      {
        ...common,
        e: 'se',
        eid: 'e-se',
        se_ca: 'shop',
        se_ac: 'add-to-basket',
        se_la: 'A-1',
        se_pr: 'red',
        se_va: '2.5',
      },
      { ...common, e: 'pp', eid: 'e-pp', pp_mix: '0', pp_max: '10', pp_miy: '5', pp_may: '800' },
      { ...common, e: 'tr', eid: 'e-tr', tr_id: 'o-1', tr_tt: '42.5', tr_cu: 'EUR' },
      {
        ...common,
        e: 'ti',
        eid: 'e-ti',
        ti_id: 'o-1',
        ti_sk: 'A-1',
        ti_nm: 'Mug',
        ti_pr: '8',
        ti_qu: '2',
      },
    ]);
    expect(result.rejected).toEqual([]);
    const [se, pp, tr, ti] = result.messages.map(bodyOf);
    expect(se).toMatchObject({
      event: 'add-to-basket',
      properties: {
        category: 'shop',
        action: 'add-to-basket',
        label: 'A-1',
        property: 'red',
        value: 2.5,
      },
    });
    expect(pp).toMatchObject({
      event: 'Page Ping',
      properties: { minXOffset: 0, maxXOffset: 10, minYOffset: 5, maxYOffset: 800 },
    });
    expect(tr).toMatchObject({
      event: 'Transaction',
      properties: { order_id: 'o-1', total: 42.5, currency: 'EUR' },
    });
    expect(ti).toMatchObject({
      event: 'Transaction Item',
      properties: { order_id: 'o-1', sku: 'A-1', name: 'Mug', price: 8, quantity: 2 },
    });
  });

  it('takes the true timestamp (ttm) as the time without skew correction, keeping stm and dtm', () => {
    const result = ingest([{ ...common, e: 'pv', eid: 'e-ttm', ttm: '1772366000000' }]);
    const stored = bodyOf(result.messages[0]!);
    expect(stored.timestamp).toBe('2026-03-01T11:53:20.000Z');
    expect(stored).not.toHaveProperty('sentAt');
    expect(stored.context).toMatchObject({ snowplow: { stm: common.stm, dtm: common.dtm } });
  });

  it('sends an event whose cx or ue_px does not decode to quarantine with the reason, parameters kept', () => {
    const result = ingest([
      { ...common, e: 'pv', eid: 'e-bad-cx', cx: '%%%', ip: '198.51.100.23' },
      { ...common, e: 'ue', eid: 'e-bad-ue', ue_pr: '{"schema":' },
      { ...common, e: 'xx', eid: 'e-unknown' },
      { ...common, e: 'pv', eid: 'e-good' },
    ]);
    expect(result.accepted).toBe(1);
    expect(result.reasons).toEqual(['invalid_cx', 'invalid_ue_pr', 'invalid_e']);
    const quarantined = result.messages.filter((m) => m.kind === 'quarantine');
    expect(quarantined.map((m) => m.id)).toEqual(['e-bad-cx', 'e-bad-ue', 'e-unknown']);
    expect(bodyOf(quarantined[0]!)).toMatchObject({
      event: {
        messageId: 'e-bad-cx',
        snowplow: { cx: '%%%', duid: 'd0e1-device', url: common.url },
      },
    });
  });

  it('quarantines an event with neither uid nor a device id, and anonymizes an ip parameter', () => {
    const { duid: _duid, ...anonymous } = common;
    const result = ingest([
      { ...anonymous, e: 'pv', eid: 'e-nobody' },
      { ...anonymous, e: 'pv', eid: 'e-user', uid: 'user-7', ip: '203.0.113.9' },
    ]);
    expect(result.reasons).toEqual(['invalid_userId']);
    const stored = bodyOf(result.messages[1]!);
    expect(stored).toMatchObject({ userId: 'user-7', context: { ip: '203.0.113.0' } });
  });

  it('refuses bodies that are not payload_data, and reads the pixel query as one event', () => {
    expect(
      snowplowPayload({ schema: 'iglu:com.acme/x/jsonschema/1-0-0', data: [{}] }),
    ).toMatchObject({
      ok: false,
      issue: { path: 'schema' },
    });
    expect(
      snowplowPayload({
        schema: 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4',
        data: [1],
      }),
    ).toMatchObject({ ok: false, issue: { path: 'data' } });
    const query = new URLSearchParams({ e: 'pv', eid: 'e-get', aid: 'site-1', duid: 'd-1' });
    expect(snowplowQueryEvent(query)).toEqual({
      e: 'pv',
      eid: 'e-get',
      aid: 'site-1',
      duid: 'd-1',
    });
  });
});
