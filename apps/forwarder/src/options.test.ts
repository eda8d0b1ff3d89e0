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
});
