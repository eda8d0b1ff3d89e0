import { describe, expect, it } from 'vitest';
import {
  compactedNameOf,
  forwarderFileOf,
  forwarderPositionOf,
  importFileName,
  isCompactedName,
  logPartitionFileName,
  positionFileName,
} from './file-names.js';
import { formatOfName } from './formats.js';
import { isDataKey } from './object-keys.js';

describe('file names', () => {
  it('names log partition 0 as before workers and the others apart, both read back', () => {
    expect(logPartitionFileName(0, 42)).toBe(positionFileName(42));
    expect(logPartitionFileName(1, 42)).toBe('w1-00000000000000000042');
    expect(logPartitionFileName(1, 42)).not.toBe(logPartitionFileName(2, 42));
    expect(forwarderFileOf(`${logPartitionFileName(3, 7)}.ndjson.gz`)).toEqual({
      logPartition: 3,
      position: 7,
    });
    expect(forwarderFileOf('00000000000000000007.parquet')).toEqual({
      logPartition: 0,
      position: 7,
    });
    expect(forwarderPositionOf('w2-00000000000000000009.ndjson.gz')).toBe(9);
    // A compaction output of a partition's file is no forwarder file, like partition 0's.
    expect(
      forwarderFileOf(compactedNameOf('w2-00000000000000000009.ndjson.gz', 1, '.ndjson.gz')),
    ).toBeUndefined();
    expect(forwarderFileOf('w0-00000000000000000009.ndjson.gz')).toBeUndefined();
  });

  it('tells forwarder files, compaction outputs and hidden objects apart', () => {
    expect(forwarderPositionOf('00000000000000000042.ndjson.gz')).toBe(42);
    expect(forwarderPositionOf('00000000000000000042.c3.ndjson.gz')).toBeUndefined();
    expect(forwarderPositionOf('import-1.ndjson.gz')).toBeUndefined();
    expect(
      isCompactedName(compactedNameOf('00000000000000000042.c3.ndjson.gz', 4, '.ndjson.gz')),
    ).toBe(true);
    expect(compactedNameOf('00000000000000000042.ndjson.gz', 4, '.ndjson.zst')).toBe(
      '00000000000000000042.c4.ndjson.zst',
    );
    expect(isDataKey('events/source=a/dt=2026-11-24/hh=10/x.ndjson.gz')).toBe(true);
    expect(isDataKey('events/source=a/dt=2026-11-24/hh=10/_manifest.json')).toBe(false);
    expect(isDataKey('_sluice/checkpoints/forwarder.json')).toBe(false);
  });
});

describe('names of stored files', () => {
  // Files already in stores carry these names: readers find them only while they stay the same.
  it('keeps the names every writer has used', () => {
    expect(positionFileName(42)).toBe('00000000000000000042');
    expect(importFileName('ab'.repeat(32), 7)).toBe(`${'ab'.repeat(16)}-000000000007`);
    expect(formatOfName('00000000000000000042.ndjson.gz')?.name).toBe('ndjson-gzip');
    expect(formatOfName('00000000000000000042.c2.ndjson.zst')?.name).toBe('ndjson-zstd');
    expect(formatOfName('events/source=a/dt=2026-11-24/hh=10/x.parquet')?.name).toBe('parquet');
    expect(formatOfName('_manifest.json')).toBeUndefined();
  });
});
