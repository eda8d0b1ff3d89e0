import { describe, expect, it } from 'vitest';
import { checkCsvHeader, csvRowToEvent } from './csv-event.js';

describe('a CSV row', () => {
  it('nests dotted columns, parses JSON object columns and leaves empty cells out', () => {
    const header = [
      'type',
      'event',
      'messageId',
      'userId',
      'context.page.url',
      'properties',
      'traits.plan',
    ];
    const row = [
      'track',
      'Order',
      'm1',
      '',
      'https://x.test/',
      '{"total":9.5,"items":["a"]}',
      '007',
    ];
    expect(csvRowToEvent(header, row)).toEqual({
      event: {
        type: 'track',
        event: 'Order',
        messageId: 'm1',
        context: { page: { url: 'https://x.test/' } },
        properties: { total: 9.5, items: ['a'] },
        traits: { plan: '007' },
      },
    });
  });

  it('is an error when a JSON column is broken or the field count differs', () => {
    expect(csvRowToEvent(['properties'], ['{"a":'])).toEqual({
      error: 'column properties is not a JSON object',
    });
    expect(csvRowToEvent(['a', 'b'], ['1'])).toEqual({
      error: 'row has 1 fields, the header has 2',
    });
  });

  it('keeps a non-object cell of a JSON column as text, for the schema to refuse', () => {
    expect(csvRowToEvent(['properties'], ['plain'])).toEqual({ event: { properties: 'plain' } });
  });
});

describe('a CSV header', () => {
  it('refuses empty, repeated, clashing and prototype-reaching names', () => {
    expect(checkCsvHeader(['type', 'context.page.url'])).toBeUndefined();
    expect(checkCsvHeader(['type', ''])).toMatch(/empty column name/);
    expect(checkCsvHeader(['a..b'])).toMatch(/empty column name/);
    expect(checkCsvHeader(['type', 'type'])).toMatch(/twice/);
    expect(checkCsvHeader(['properties', 'properties.plan'])).toMatch(/both "properties" and/);
    expect(checkCsvHeader(['__proto__.polluted'])).toMatch(/not allowed/);
    expect(checkCsvHeader(['context.constructor'])).toMatch(/not allowed/);
  });
});
