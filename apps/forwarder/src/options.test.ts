import { describe, expect, it } from 'vitest';
import { parseForwarderOptions } from './options.js';

describe('parseForwarderOptions', () => {
  it('defaults to 64 MiB or 120 s per file and 256 MiB buffered', () => {
    const options = parseForwarderOptions();
    expect(options.maxFileBytes).toBe(64 * 1024 * 1024);
    expect(options.maxFileAgeMs).toBe(120_000);
    expect(options.maxBufferedBytes).toBe(256 * 1024 * 1024);
  });

  it('refuses files under 1 MiB unless minFileBytes is lowered explicitly', () => {
    expect(() => parseForwarderOptions({ maxFileBytes: 512 * 1024 })).toThrow(/maxFileBytes/);
    expect(parseForwarderOptions({ maxFileBytes: 100, minFileBytes: 1 }).maxFileBytes).toBe(100);
  });

  it('refuses files over 1 GiB, unknown settings and non-integers, naming each', () => {
    expect(() => parseForwarderOptions({ maxFileBytes: 2 * 1024 ** 3 })).toThrow(/maxFileBytes/);
    expect(() => parseForwarderOptions({ maxFileAgeMS: 10 } as never)).toThrow(/maxFileAgeMS/);
    expect(() => parseForwarderOptions({ maxFileAgeMs: 1.5 })).toThrow(/maxFileAgeMs/);
  });

  it('defaults to gzip NDJSON and a 24 h dedup window in hourly slots within 32 MiB', () => {
    expect(parseForwarderOptions()).toMatchObject({
      format: 'ndjson-gzip',
      dedupWindowMs: 24 * 3_600_000,
      dedupSlotMs: 3_600_000,
      dedupMemoryBytes: 32 * 1024 * 1024,
    });
  });

  it('refuses an unknown format and a window of more slots than the filter can tag', () => {
    expect(() => parseForwarderOptions({ format: 'csv' } as never)).toThrow(/format/);
    expect(() =>
      parseForwarderOptions({ dedupWindowMs: 30 * 24 * 3_600_000, dedupSlotMs: 60_000 }),
    ).toThrow(/dedupSlotMs/);
  });
});
