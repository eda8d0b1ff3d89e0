import { describe, expect, it } from 'vitest';
import { MAX_PARQUET_FILE_BYTES, parseFileSettings } from './file-settings.js';

const MiB = 1024 * 1024;

describe('parseFileSettings', () => {
  it('cuts Parquet files at 4 MiB at most: a bigger SLUICE_FILE_BYTES is clamped, with the reason', () => {
    const settings = parseFileSettings({ SLUICE_FORMAT: 'parquet', SLUICE_FILE_BYTES: '16777216' });
    expect(MAX_PARQUET_FILE_BYTES).toBe(4 * MiB);
    expect(settings.fileBytes).toBe(4 * MiB);
    expect(settings.clamped).toMatch(/SLUICE_FILE_BYTES=16777216 is above 4194304.*cut at 4194304/);
  });

  it('takes 4 MiB as the Parquet default, and a smaller size as it is, without a note', () => {
    expect(parseFileSettings({ SLUICE_FORMAT: 'parquet' })).toMatchObject({ fileBytes: 4 * MiB });
    const small = parseFileSettings({ SLUICE_FORMAT: 'parquet', SLUICE_FILE_BYTES: String(MiB) });
    expect(small.fileBytes).toBe(MiB);
    expect(small.clamped).toBeUndefined();
  });

  it('leaves gzip NDJSON its 16 MiB default and up to 32 MiB; refuses what is out of range', () => {
    expect(parseFileSettings({}).fileBytes).toBe(16 * MiB);
    const big = parseFileSettings({
      SLUICE_FORMAT: 'ndjson-gzip',
      SLUICE_FILE_BYTES: String(32 * MiB),
    });
    expect(big.fileBytes).toBe(32 * MiB);
    expect(big.clamped).toBeUndefined();
    expect(() => parseFileSettings({ SLUICE_FILE_BYTES: String(33 * MiB) })).toThrow();
    expect(() =>
      parseFileSettings({ SLUICE_FORMAT: 'parquet', SLUICE_FILE_BYTES: '1000' }),
    ).toThrow();
  });
});
