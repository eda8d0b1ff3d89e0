import { describe, expect, it } from 'vitest';
import { Utf8Lines } from './utf8.js';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('Utf8Lines', () => {
  it('hands out each line as its own UTF-8 bytes, in order, non-ASCII included', () => {
    const lines = new Utf8Lines();
    expect(lines.add('{"a":1}')).toBe(7);
    expect(lines.add('{"name":"Größe ✓ 😀"}')).toBe(
      new TextEncoder().encode('{"name":"Größe ✓ 😀"}').length,
    );
    expect(lines.take().map(text)).toEqual(['{"a":1}', '{"name":"Größe ✓ 😀"}']);
    expect(lines.take()).toEqual([]);
  });

  it('keeps lines taken earlier intact when it is reused', () => {
    const lines = new Utf8Lines();
    lines.add('first');
    const [first] = lines.take();
    lines.add('later');
    lines.take();
    expect(text(first!)).toBe('first');
  });

  it('grows for lines larger than its buffer, keeping the ones before', () => {
    const lines = new Utf8Lines();
    const big = 'ü'.repeat(100_000);
    lines.add('before');
    expect(lines.add(big)).toBe(200_000);
    expect(lines.take().map(text)).toEqual(['before', big]);
  });

  it('drops the last line, or all not yet taken', () => {
    const lines = new Utf8Lines();
    lines.add('kept');
    lines.add('dropped');
    lines.dropLast();
    lines.add('also kept');
    expect(lines.take().map(text)).toEqual(['kept', 'also kept']);
    lines.add('left over');
    lines.reset();
    expect(lines.take()).toEqual([]);
  });
});
