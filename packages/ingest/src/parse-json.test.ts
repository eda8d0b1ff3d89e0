import { MAX_JSON_DEPTH } from '@sluice/schema';
import { describe, expect, it } from 'vitest';
import { parseJsonObject } from './parse-json.js';

const encoder = new TextEncoder();
const parse = (text: string) => parseJsonObject(encoder.encode(text));

describe('parseJsonObject', () => {
  it('parses an object', () => {
    expect(parse('{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
  });

  it.each(['', '{', 'null', '[]', '"text"'])('refuses %j with the problem as a value', (text) => {
    const parsed = parse(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(['invalid_json', 'invalid_batch']).toContain(parsed.problem.code);
  });

  it('refuses nesting deeper than MAX_JSON_DEPTH (it overflowed the stack: a 500)', () => {
    const deep = (levels: number) => `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
    expect(parse(deep(MAX_JSON_DEPTH)).ok).toBe(true);
    expect(parse(deep(MAX_JSON_DEPTH + 1))).toEqual({
      ok: false,
      problem: { code: 'invalid_json', message: expect.stringContaining('deeper than 64') },
    });
    expect(parse(`{"x":${'['.repeat(200_000)}${']'.repeat(200_000)}}`).ok).toBe(false);
    // Too deep and not JSON either: named as too deep, as the text is measured first.
    expect(parse(`{"x":${'['.repeat(200_000)}`)).toEqual(parse(deep(MAX_JSON_DEPTH + 1)));
  });

  it('refuses invalid UTF-8 instead of replacing characters, and skips a byte-order mark', () => {
    expect(parseJsonObject(new Uint8Array([0x7b, 0xff, 0x7d]), 'payload')).toEqual({
      ok: false,
      problem: { code: 'invalid_json', message: 'payload is not valid UTF-8' },
    });
    expect(parse('\ufeff{"a":"é"}')).toEqual({ ok: true, value: { a: 'é' } });
  });
});
