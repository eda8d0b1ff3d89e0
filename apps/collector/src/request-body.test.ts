import { describe, expect, it } from 'vitest';
import { CollectorError } from './errors.js';
import { checkContentType, parseJsonObject } from './request-body.js';

function statusOf(run: () => unknown): number | 'ok' {
  try {
    run();
    return 'ok';
  } catch (error) {
    if (error instanceof CollectorError) return error.status;
    throw error;
  }
}

describe('checkContentType', () => {
  it.each([
    'text/plain',
    'text/plain;charset=UTF-8',
    'application/json',
    'Application/JSON; charset="utf-8"',
  ])('accepts %s', (type) => {
    expect(statusOf(() => checkContentType(type))).toBe('ok');
  });

  it.each([
    undefined,
    '',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'text/plain; charset=iso-8859-1',
  ])('refuses %s with 415', (type) => {
    expect(statusOf(() => checkContentType(type))).toBe(415);
  });
});

describe('parseJsonObject', () => {
  it('parses an object', () => {
    expect(parseJsonObject('{"a":1}')).toEqual({ a: 1 });
  });

  it.each(['', '{', 'null', '[]', '"text"'])('refuses %j with 400', (text) => {
    expect(statusOf(() => parseJsonObject(text))).toBe(400);
  });
});
