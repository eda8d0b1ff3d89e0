import { describe, expect, it } from 'vitest';
import { eraseLines } from './erase-lines.js';
import { createSubjectMatcher } from './subject-matcher.js';

const ndjson = (lines: string[]) =>
  new TextEncoder().encode(lines.map((line) => `${line}\n`).join(''));
const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

describe('createSubjectMatcher', () => {
  it('matches events and quarantined events by userId, anonymousId and an alias previousId', () => {
    const matcher = createSubjectMatcher({ userId: 'u-1', anonymousId: 'a-1' });
    expect(matcher.match('{"type":"track","userId":"u-1","anonymousId":"a-9"}')).toBe('event');
    expect(matcher.match('{"type":"page","anonymousId":"a-1"}')).toBe('event');
    expect(matcher.match('{"type":"alias","previousId":"a-1","userId":"u-2"}')).toBe('event');
    expect(matcher.match('{"reason":[],"event":{"userId":"u-1"},"receivedAt":"x"}')).toBe(
      'quarantine',
    );
    // An invalid event may carry the id as a number.
    const numeric = createSubjectMatcher({ userId: '42' });
    expect(numeric.match('{"reason":[],"event":{"userId":42}}')).toBe('quarantine');
  });

  it('leaves other people, look-alike ids and ids in other fields alone', () => {
    const matcher = createSubjectMatcher({ userId: 'u-1' });
    expect(matcher.match('{"userId":"u-10"}')).toBeUndefined();
    expect(matcher.match('{"anonymousId":"u-1"}')).toBeUndefined();
    expect(matcher.match('{"userId":"u-2","properties":{"friend":"u-1"}}')).toBeUndefined();
    expect(matcher.match('{"reason":[],"event":"u-1"}')).toBeUndefined();
  });

  it('finds ids that JSON spells with escapes', () => {
    const matcher = createSubjectMatcher({ userId: 'jo"e/ü' });
    expect(matcher.match(JSON.stringify({ userId: 'jo"e/ü' }))).toBe('event');
    expect(matcher.match('{"userId":"\\u006ao\\"e\\/\\u00fc"}')).toBe('event');
  });

  it('refuses a subject without an id', () => {
    expect(() => createSubjectMatcher({})).toThrow(/userId or an anonymousId/);
    expect(() => createSubjectMatcher({ userId: '' })).toThrow(/non-empty/);
  });
});

describe('eraseLines', () => {
  it("removes the subject's lines and keeps every other line's exact text", () => {
    const keep = [
      '{"userId":"u-2","title":"caf\\u00e9 \\"x\\""}',
      '{"anonymousId":"a-2","emoji":"🎉"}',
      'not json u-1',
    ];
    const input = ndjson([
      keep[0] as string,
      '{"userId":"u-1"}',
      keep[1] as string,
      keep[2] as string,
      '{"reason":[],"event":{"userId":"u-1"}}',
    ]);
    const result = eraseLines(input, createSubjectMatcher({ userId: 'u-1' }));
    expect(result).toMatchObject({ lines: 5, events: 1, quarantined: 1, unparsed: 1 });
    expect(text(result.ndjson)).toBe(keep.map((line) => `${line}\n`).join(''));
  });

  it('reports nothing to rewrite when the subject is absent', () => {
    const result = eraseLines(
      ndjson(['{"userId":"u-2"}']),
      createSubjectMatcher({ userId: 'u-1' }),
    );
    expect(result).toMatchObject({ lines: 1, events: 0, quarantined: 0 });
    expect(result.ndjson).toBeUndefined();
  });

  it('refuses bytes that are not UTF-8 rather than alter them', () => {
    const broken = new Uint8Array([123, 0xff, 125, 10]);
    expect(() => eraseLines(broken, createSubjectMatcher({ userId: 'u-1' }))).toThrow(TypeError);
  });
});
