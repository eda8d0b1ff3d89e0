import { describe, expect, it } from 'vitest';
import { batchRequestSchema } from './batch.js';
import { eventSchema } from './event.js';
import { isSurelyValidBatch, isSurelyValidEvent } from './event-check.js';

type Fields = Record<string, unknown>;

const CONTEXT = {
  page: { path: '/p', referrer: '', search: '?q=1', title: 'T', url: 'https://a.example/p' },
  userAgent: 'Mozilla/5.0',
  locale: 'en-US',
  timezone: 'Europe/Berlin',
  ip: '203.0.113.7',
  screen: { width: 1920, height: 1080, density: 2 },
  campaign: { name: 'n', source: 's', medium: 'm', term: 't', content: 'c' },
  library: { name: 'sluice', version: '0.1.0' },
  eventIndex: 3,
  extra: { kept: true },
};

const COMMON = {
  messageId: 'm-1',
  anonymousId: 'a-1',
  userId: 'u-1',
  timestamp: '2026-03-01T10:00:00.000Z',
  originalTimestamp: '2026-03-01T10:00:00+02:00',
  sentAt: '2026-03-01T10:00:01.5Z',
  receivedAt: '2026-03-01T10:00:02Z',
  context: CONTEXT,
  integrations: { All: true },
  unknownField: [1, 2],
};

/** One valid event of each type, with every field the schema knows. */
const VALID: Fields[] = [
  { ...COMMON, type: 'track', event: 'Played', properties: { a: 1 } },
  { ...COMMON, type: 'page', name: 'Home', category: null, properties: {} },
  { ...COMMON, type: 'screen', name: null, properties: { b: 'c' } },
  { ...COMMON, type: 'identify', traits: { plan: 'pro' } },
  { ...COMMON, type: 'group', groupId: 'g-1', traits: {} },
  { ...COMMON, type: 'alias', previousId: 'p-1' },
];

const emoji = (count: number) => '😀'.repeat(count);
/** Values every field is tried with: types, lengths at the limits, dates valid and not. */
const PROBES: unknown[] = [
  undefined,
  null,
  '',
  'x',
  'x'.repeat(255),
  'x'.repeat(256),
  'x'.repeat(512),
  'x'.repeat(513),
  emoji(255),
  emoji(256),
  emoji(512),
  '\ud800',
  0,
  1.5,
  -1,
  2 ** 53,
  Number.POSITIVE_INFINITY,
  Number.NaN,
  true,
  [],
  ['x'],
  {},
  { name: 'n' },
  { name: 1 },
  { width: 'wide' },
  '2026-03-01T10:00:00Z',
  '2026-03-01T10:00Z',
  '2026-02-30T10:00:00Z',
  '2024-02-29T23:59:59.999999+14:00',
  '2026-03-01 10:00:00Z',
  'yesterday',
  'track',
  'page',
  'alias',
  'bogus',
];

const CONTEXT_FIELDS = ['page', 'userAgent', 'locale', 'timezone', 'ip', 'screen', 'eventIndex'];
const NESTED_FIELDS = [
  ['page', 'path'],
  ['page', 'url'],
  ['screen', 'width'],
  ['screen', 'density'],
  ['campaign', 'term'],
  ['library', 'name'],
  ['library', 'version'],
];

/** Every event with one field (top level, in context, or one level deeper) set to `value`. */
function* mutations(): Generator<Fields> {
  for (const event of VALID) {
    const fields = new Set([...Object.keys(event), 'name', 'category', 'groupId', 'previousId']);
    for (const value of PROBES) {
      for (const field of fields) yield { ...event, [field]: value };
      for (const field of [...CONTEXT_FIELDS, 'campaign', 'library']) {
        yield { ...event, context: { ...CONTEXT, [field]: value } };
      }
      for (const [outer, inner] of NESTED_FIELDS) {
        const nested = {
          ...((CONTEXT as Fields)[outer as string] as Fields),
          [inner as string]: value,
        };
        yield { ...event, context: { ...CONTEXT, [outer as string]: nested } };
      }
    }
  }
}

describe('isSurelyValidEvent', () => {
  it('passes valid events of every type', () => {
    for (const event of VALID) {
      expect(eventSchema.safeParse(event).success).toBe(true);
      expect(isSurelyValidEvent(event)).toBe(true);
    }
    expect(isSurelyValidEvent({ type: 'track', event: 'E', messageId: 'm', userId: 'u' })).toBe(
      true,
    );
  });

  it('never passes an event the schema refuses, whatever field is wrong', () => {
    let checked = 0;
    let passed = 0;
    for (const event of mutations()) {
      checked++;
      if (!isSurelyValidEvent(event)) continue;
      passed++;
      const result = eventSchema.safeParse(event);
      expect(result.error?.issues, JSON.stringify(event)).toBeUndefined();
    }
    // It is a fast path, not a refusal: most of the valid variants take it.
    expect(checked).toBeGreaterThan(5_000);
    expect(passed).toBeGreaterThan(checked / 3);
  });

  it('does not pass an event that names no one (the schema refinement)', () => {
    const { userId: _u, anonymousId: _a, ...anonymous } = VALID[0] as Fields;
    expect(isSurelyValidEvent(anonymous)).toBe(false);
    expect(isSurelyValidEvent({ ...anonymous, userId: null, anonymousId: null })).toBe(false);
    expect(eventSchema.safeParse(anonymous).success).toBe(false);
  });

  it('passes only plain objects', () => {
    for (const value of [null, 'track', [VALID[0]], new Date()]) {
      expect(isSurelyValidEvent(value)).toBe(false);
    }
  });
});

describe('isSurelyValidBatch', () => {
  const body = { batch: [{ type: 'track' }], sentAt: '2026-03-01T10:00:00Z', writeKey: 'wk' };

  it('passes a beacon body as the tag sends it', () => {
    expect(isSurelyValidBatch(body)).toBe(true);
    expect(isSurelyValidBatch({ ...body, context: CONTEXT })).toBe(true);
  });

  it('never passes a body the schema refuses', () => {
    const variants: unknown[] = [];
    for (const value of PROBES) {
      for (const field of ['batch', 'sentAt', 'writeKey', 'context']) {
        variants.push({ ...body, [field]: value });
      }
      variants.push({ ...body, batch: [value] });
      variants.push({ ...body, context: { ...CONTEXT, page: value } });
    }
    variants.push({ ...body, batch: Array.from({ length: 2_501 }, () => ({})) });
    variants.push({ ...body, batch: Array.from({ length: 2_500 }, () => ({})) });
    for (const variant of variants) {
      if (isSurelyValidBatch(variant)) {
        expect(batchRequestSchema.safeParse(variant).success, JSON.stringify(variant)).toBe(true);
      }
    }
  });
});
