import { describe, expect, it } from 'vitest';
import { parseCompactionOptions } from './compaction-options.js';

const MiB = 1024 * 1024;

describe('compaction options', () => {
  it('defaults to outputs of 256 MiB of NDJSON, 2 h after the hour', () => {
    const options = parseCompactionOptions();
    expect(options.targetFileBytes).toBe(256 * MiB);
    expect(options.graceMs).toBe(2 * 3_600_000);
  });

  it('takes a target from 1 MiB to 1 GiB and names the setting otherwise', () => {
    expect(parseCompactionOptions({ targetFileBytes: 1024 * MiB }).targetFileBytes).toBe(
      1024 * MiB,
    );
    expect(() => parseCompactionOptions({ targetFileBytes: 1024 * MiB + 1 })).toThrow(
      /targetFileBytes/,
    );
    expect(() => parseCompactionOptions({ targetFileBytes: MiB - 1 })).toThrow(/minFileBytes/);
  });
});
