// Generated inputs for fuzzing the collector (fast-check arbitraries). JSON is built as text,
// so it can hold what JSON.stringify never writes: `__proto__` as an own key, duplicate keys,
// numbers out of double range, nesting deep enough to break recursive code, invalid UTF-8.

import { gzipSync } from 'node:zlib';
import fc from 'fast-check';

/** Keys that pollute prototypes or confuse code that reads objects naively. */
export const DANGEROUS_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  'then',
] as const;

const key = fc.oneof(fc.constantFrom(...DANGEROUS_KEYS), fc.string({ maxLength: 12 }));

/** Number literals JSON allows that a double cannot hold (they parse to Infinity or lose digits). */
const hugeNumber = fc.oneof(
  fc.constantFrom('1e400', '-1e400', '1e-400', '-0', '123456789012345678901234567890', '4.9e-325'),
  fc.integer({ min: 1, max: 400 }).map((digits) => '9'.repeat(digits)),
);

const scalar = fc.oneof(
  fc
    .oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }))
    .map((s) => JSON.stringify(s)),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.integer().map(String),
  fc.constantFrom('true', 'false', 'null'),
  hugeNumber,
);

/** JSON object text from entries whose values are JSON text; keys may repeat. */
export function objectText(entries: readonly (readonly [string, string])[]): string {
  return `{${entries.map(([name, value]) => `${JSON.stringify(name)}:${value}`).join(',')}}`;
}

/** Any JSON value as text, with dangerous and duplicate keys and huge numbers. */
export const jsonText: fc.Arbitrary<string> = fc.letrec<{
  value: string;
  object: string;
  array: string;
}>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    tie('object'),
    tie('array'),
  ),
  object: fc.array(fc.tuple(key, tie('value')), { maxLength: 5 }).map(objectText),
  array: fc.array(tie('value'), { maxLength: 5 }).map((items) => `[${items.join(',')}]`),
})).value;

/** An object as text, whose entries may repeat keys and use dangerous ones. */
const objectOfJson = fc.array(fc.tuple(key, jsonText), { maxLength: 6 }).map(objectText);

const id = fc.string({ minLength: 1, maxLength: 40 });
const isoTime = fc
  .date({ min: new Date('1990-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
  .map((d) => JSON.stringify(d.toISOString()));

/** The fields one event type requires (besides an id), as entries. */
const typeFields = fc.oneof(
  fc.tuple(id).map(([name]) => [
    ['type', '"track"'],
    ['event', JSON.stringify(name)],
  ]),
  fc.constant([['type', '"page"']]),
  fc.constant([['type', '"screen"']]),
  fc.constant([['type', '"identify"']]),
  id.map((group) => [
    ['type', '"group"'],
    ['groupId', JSON.stringify(group)],
  ]),
  fc.tuple(id, id).map(([previous, user]) => [
    ['type', '"alias"'],
    ['previousId', JSON.stringify(previous)],
    ['userId', JSON.stringify(user)],
  ]),
);

/** A mutation that makes an event invalid, appended last so it wins over earlier copies. */
export interface Breakage {
  /** What was broken, for the counterexample fast-check prints. */
  label: string;
  entries: [string, string][];
  /** Whether the event keeps a usable messageId (the answer then names it). */
  keepsId: boolean;
}

const breaks = (keepsId: boolean, ...entries: [string, string][]): Breakage => ({
  label: entries.map(([name, value]) => `${name}=${value.slice(0, 60)}`).join(' '),
  entries,
  keepsId,
});

const breakage: fc.Arbitrary<Breakage> = fc.oneof(
  fc.constantFrom('"bogus"', '7', 'null', '{}').map((type) => breaks(true, ['type', type])),
  fc.constant(breaks(true, ['userId', 'null'], ['anonymousId', 'null'])),
  // The ids only on a smuggled prototype: must not count as present.
  fc.constant(
    breaks(
      true,
      ['userId', 'null'],
      ['anonymousId', 'null'],
      ['__proto__', '{"anonymousId":"smuggled","userId":"smuggled"}'],
    ),
  ),
  // A number is no breakage: Segment's spec takes ids given as numbers as their string form.
  fc
    .constantFrom('""', 'true', JSON.stringify('m'.repeat(300)))
    .map((messageId) => breaks(false, ['messageId', messageId])),
  fc
    .constantFrom('"yesterday"', '12', '"2024-13-45T99:00:00Z"')
    .map((time) => breaks(true, ['timestamp', time])),
  fc.constantFrom('[1,2]', '"text"', '3').map((value) => breaks(true, ['integrations', value])),
  fc.constantFrom('5', '[]', '"ctx"').map((value) => breaks(true, ['context', value])),
  // Over the 32 KB event limit (kept in quarantine as `event_too_large`).
  fc
    .integer({ min: 33_000, max: 40_000 })
    .map((size) =>
      breaks(true, ['properties', objectText([['big', JSON.stringify('x'.repeat(size))]])]),
    ),
);

/** One generated event: its JSON text for a given messageId, and what the collector should do. */
export interface EventCase {
  text(messageId: string): string;
  valid: boolean;
  /** What was broken (invalid cases). */
  broken?: string;
  keepsId: boolean;
  /** The `properties` it carries as text (valid events), to compare with what is stored. */
  properties?: string;
}

/** An event valid by construction (decoy copies of keys come first and lose), or broken once. */
export const eventCase: fc.Arbitrary<EventCase> = fc
  .record({
    fields: typeFields,
    person: fc.oneof(
      id.map((v) => [['anonymousId', JSON.stringify(v)]] as [string, string][]),
      id.map((v) => [['userId', JSON.stringify(v)]] as [string, string][]),
    ),
    properties: objectOfJson,
    context: fc.option(
      fc
        .record({
          path: fc.string({ maxLength: 30 }),
          ip: fc.string({ maxLength: 20 }),
          extra: objectOfJson,
        })
        .map(({ path, ip, extra }) =>
          objectText([
            ['page', objectText([['path', JSON.stringify(path)]])],
            ['ip', JSON.stringify(ip)],
            ['extra', extra],
          ]),
        ),
      { nil: undefined },
    ),
    timestamp: fc.option(isoTime, { nil: undefined }),
    // Earlier copies of keys with wrong values: JSON.parse keeps the last one.
    decoys: fc.subarray([
      ['type', '"bogus"'],
      ['messageId', '""'],
      ['properties', '"not an object"'],
      ['person', '42'],
    ] as [string, string][]),
    // Fields offered on a prototype: never read as the event's own.
    smuggled: fc.option(
      fc
        .subarray(['type', 'event', 'messageId', 'anonymousId', 'userId', 'groupId', 'polluted'], {
          minLength: 1,
        })
        .map((names) => objectText(names.map((name) => [name, '"smuggled"']))),
      { nil: undefined },
    ),
    broken: fc.option(breakage, { nil: undefined, freq: 2 }),
  })
  .map(({ fields, person, properties, context, timestamp, decoys, smuggled, broken }) => {
    const personKey = person[0]![0];
    const entries = (messageId: string): [string, string][] => [
      ...decoys.map(([name, value]): [string, string] => [
        name === 'person' ? personKey : name,
        value,
      ]),
      ...(smuggled === undefined ? [] : [['__proto__', smuggled] as [string, string]]),
      ...(fields as [string, string][]),
      ...person,
      ['messageId', JSON.stringify(messageId)],
      ['properties', properties],
      ...(context === undefined ? [] : [['context', context] as [string, string]]),
      ...(timestamp === undefined ? [] : [['timestamp', timestamp] as [string, string]]),
      ...(broken?.entries ?? []),
    ];
    return {
      text: (messageId: string) => objectText(entries(messageId)),
      valid: broken === undefined,
      broken: broken?.label,
      keepsId: broken?.keepsId ?? true,
      properties: broken === undefined ? properties : undefined,
    };
  })
  // Valid cases stay well under the 32 KB event limit (the oracle must not guess sizes).
  .filter((c) => !c.valid || Buffer.byteLength(c.text('x'.repeat(40))) < 16_000);

/** Arrays or objects nested `depth` deep, as text, around `inner`. */
export function nested(depth: number, shape: 'array' | 'object', inner = '1'): string {
  return shape === 'array'
    ? `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}${inner}${'}'.repeat(depth)}`;
}

const deepBody = fc
  .record({
    depth: fc.integer({ min: 1, max: 150_000 }),
    shape: fc.constantFrom('array' as const, 'object' as const),
    at: fc.constantFrom('properties', 'event', 'context', 'batch', 'top'),
  })
  .map(({ depth, shape, at }) => {
    const deep = nested(depth, shape);
    const event = (field: string, value: string) =>
      `{"type":"track","event":"e","messageId":"deep","anonymousId":"a","${field}":${value}}`;
    if (at === 'top') return deep;
    if (at === 'batch') return `{"writeKey":"fuzz-key","batch":${deep}}`;
    return `{"writeKey":"fuzz-key","batch":[${event(at, at === 'event' ? deep : `{"x":${deep}}`)}]}`;
  });

const batchOfCases = fc.array(eventCase, { minLength: 1, maxLength: 8 }).map((cases) =>
  objectText([
    ['writeKey', '"fuzz-key"'],
    ['batch', `[${cases.map((c, i) => c.text(`garbage-${i}`)).join(',')}]`],
  ]),
);

/** A string near a limit: the 32 KB event, the 500 KB body; one-byte or four-byte characters. */
const bigString = fc
  .record({
    size: fc.oneof(
      fc.integer({ min: 32_000, max: 33_500 }),
      fc.integer({ min: 120_000, max: 130_000 }),
      fc.integer({ min: 510_000, max: 520_000 }),
    ),
    char: fc.constantFrom('x', 'é', '𝄞', '\\u0000', '"'),
  })
  .map(({ size, char }) => JSON.stringify(char.repeat(Math.ceil(size / Buffer.byteLength(char)))));

const extremeEvent = (field: string, value: string) =>
  `{"writeKey":"fuzz-key","batch":[{"type":"track","event":"e","messageId":"extreme","anonymousId":"a","${field}":${value}}]}`;

/** Bodies at the edges of what parsers and serializers survive, with headers that get them read. */
export const extremeBody: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  deepBody,
  fc
    .tuple(fc.constantFrom('event', 'properties', 'anonymousId', 'context'), bigString)
    .map(([field, value]) =>
      extremeEvent(field, field === 'properties' || field === 'context' ? `{"s":${value}}` : value),
    ),
  fc
    .tuple(fc.constantFrom('timestamp', 'properties', 'messageId', 'sentAt'), hugeNumber)
    .map(([field, value]) =>
      extremeEvent(field, field === 'properties' ? `{"n":${value}}` : value),
    ),
  fc
    .array(fc.tuple(fc.constantFrom(...DANGEROUS_KEYS), jsonText), { minLength: 1, maxLength: 6 })
    .map((entries) => objectText([['writeKey', '"fuzz-key"'], ...entries, ['batch', '[]']])),
  fc
    .integer({ min: 2_400, max: 2_600 })
    .map((n) => `{"writeKey":"fuzz-key","batch":[${'{"type":"track"},'.repeat(n - 1)}{}]}`),
);

/** Bodies from plausible to hostile, as bytes. */
export const bodyBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 4_096 }),
  fc.string({ unit: 'binary', maxLength: 2_000 }).map((s) => Buffer.from(s)),
  fc.json().map((s) => Buffer.from(s)),
  jsonText.map((s) => Buffer.from(s)),
  batchOfCases.map((s) => Buffer.from(s)),
  deepBody.map((s) => Buffer.from(s)),
  // Valid JSON with invalid UTF-8 spliced into a string.
  fc
    .tuple(
      batchOfCases,
      fc.uint8Array({ minLength: 1, maxLength: 8 }).map((b) => b.map((x) => x | 0x80)),
    )
    .map(([text, bad]) => {
      const at = text.indexOf('"', 2) + 1;
      return Buffer.concat([Buffer.from(text.slice(0, at)), bad, Buffer.from(text.slice(at))]);
    }),
);

const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 60,
});

export const contentType = fc.option(
  fc.oneof(
    fc.constantFrom(
      'text/plain',
      'application/json',
      'text/plain;charset=UTF-8',
      'application/json; charset="utf-8"',
      'application/json; charset=latin1',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'text/html',
      'application/json;;;',
      '',
    ),
    printable,
  ),
  { nil: undefined },
);

/** How the body is sent: as is, gzip (right or broken), or under an encoding claim. */
export const encoding = fc.constantFrom(
  'none',
  'gzip',
  'x-gzip',
  'gzip-truncated',
  'gzip-claimed',
  'gzip-twice',
  'br',
  'deflate',
  'gzip, gzip',
  'identity',
  'GZIP',
);

/** The body and Content-Encoding header for an `encoding` choice. */
export function encode(body: Uint8Array, how: string): { body: Uint8Array; header?: string } {
  switch (how) {
    case 'none':
      return { body };
    case 'gzip':
    case 'x-gzip':
    case 'GZIP':
      return { body: gzipSync(body), header: how };
    case 'gzip-truncated': {
      const gz = gzipSync(body);
      return { body: gz.subarray(0, Math.max(1, gz.length - 5)), header: 'gzip' };
    }
    case 'gzip-claimed':
      return { body, header: 'gzip' };
    case 'gzip-twice':
      return { body: gzipSync(gzipSync(body)), header: 'gzip' };
    default:
      return { body, header: how };
  }
}

export const path = fc.constantFrom(
  '/v1/batch',
  '/v1/batch',
  '/v1/track',
  '/v1/page',
  '/v1/screen',
  '/v1/identify',
  '/v1/group',
  '/v1/alias',
  '/v1/unknown',
  '/v1/batch/..%2f..%2fhealthz',
  '/v1//batch',
);

export const origin = fc.option(
  fc.oneof(
    fc.constantFrom(
      'https://shop.example',
      'https://evil.example',
      'null',
      'https://shop.example.evil.example',
      'HTTPS://SHOP.EXAMPLE',
    ),
    printable,
  ),
  { nil: undefined },
);

export const authorization = fc.option(
  fc.oneof(
    fc.constantFrom(
      'Bearer sk_wrong',
      `Basic ${Buffer.from('fuzz-key:').toString('base64')}`,
      `Basic ${Buffer.from('unknown:').toString('base64')}`,
      'Basic !!!',
      'Bearer',
      'Digest x',
    ),
    printable,
  ),
  { nil: undefined },
);

/** Header lines for a raw request: names and values with bytes a client library would refuse. */
export const rawHeaderLines = fc.array(
  fc.tuple(
    fc.oneof(
      fc.constantFrom(
        'Origin',
        'Authorization',
        'Content-Type',
        'Content-Encoding',
        'X-Forwarded-For',
        'Host',
      ),
      fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 20 }),
    ),
    fc.oneof(
      fc.string({ unit: 'binary-ascii', maxLength: 80 }),
      fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
    ),
  ),
  { maxLength: 6 },
);
