import { describe, expect, it } from 'vitest';
import {
  concatNdjson,
  countLines,
  decodeNdjson,
  encodeNdjson,
  encodeNdjsonText,
} from './ndjson.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (ndjson: Uint8Array) => new TextDecoder().decode(ndjson);

describe('NDJSON', () => {
  it('writes each body byte for byte with its newline, and reads the lines back', () => {
    const ndjson = encodeNdjson([bytes('{"a":1}'), bytes('{"b":"é"}')]);
    expect(text(ndjson)).toBe('{"a":1}\n{"b":"é"}\n');
    expect(decodeNdjson(ndjson)).toEqual(['{"a":1}', '{"b":"é"}']);
    expect(encodeNdjsonText(decodeNdjson(ndjson))).toEqual(ndjson);
    expect(countLines(ndjson)).toBe(2);
  });

  it('counts and joins a last line without its newline', () => {
    expect(decodeNdjson(bytes('{"a":1}\n{"b":2}'))).toEqual(['{"a":1}', '{"b":2}']);
    expect(countLines(bytes('{"a":1}\n{"b":2}'))).toBe(2);
    expect(text(concatNdjson([bytes('1\n2'), bytes(''), bytes('3\n')]))).toBe('1\n2\n3\n');
  });

  it('refuses bytes that are not UTF-8 rather than replacing them', () => {
    expect(() => decodeNdjson(new Uint8Array([0x7b, 0xff, 0x7d, 0x0a]))).toThrow(TypeError);
  });
});
