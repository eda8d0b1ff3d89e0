// A crash at any point of a compaction: readers still see every event once, and the next run
// ends with exactly the files an uninterrupted run writes. For gzip NDJSON (lines byte for
// byte) and for Parquet (merged into Parquet; the same events, read back as values).

import type { ObjectStore } from '@sluice/store';
import { describe, expect, it } from 'vitest';
import { nodeFileCodecs } from '../formats/node-codecs.js';
import { storeKindsClosedAfterAll } from '../testing/store-kinds.js';
import { compactPartition } from './compact-partition.js';
import {
  countMutations,
  crashBeforeMutation,
  digests,
  eventLine,
  HOUR,
  putForwarderFile,
  readLiveLines,
  SimulatedCrash,
} from './test-support.js';

const kinds = storeKindsClosedAfterAll();
const isParquetOrManifest = (key: string) =>
  key.endsWith('.parquet') || key.endsWith('_manifest.json');

const OPTIONS = { targetFileBytes: 2_000, minFileBytes: 1, acknowledgedBelow: 1e9 };

/**
 * A partition compacted once, then given six late files: the next compaction merges the first
 * output with the late files into two outputs, switches, and deletes seven inputs.
 */
async function prepare(store: ObjectStore, format: Format): Promise<string[]> {
  const lines: string[] = [];
  const write = async (position: number) => {
    const fileLines = [0, 1, 2].map((i) => eventLine(position + i));
    await putForwarderFile(store, HOUR, position, fileLines, format);
    lines.push(...fileLines);
  };
  for (const position of [0, 3]) await write(position);
  await compactPartition({ store, codecs: nodeFileCodecs }, HOUR, OPTIONS);
  for (const position of [10, 13, 16, 19, 22, 25]) await write(position);
  return lines;
}

type Format = 'ndjson-gzip' | 'parquet';
const cases = kinds.flatMap((kind) =>
  (['ndjson-gzip', 'parquet'] as const).map((format) => ({ ...kind, format })),
);

describe.each(cases)('a crash during compaction of $format on the $name store', (kind) => {
  it('leaves every event readable once, and the next run finishes with the same files', async () => {
    const { format } = kind;
    // NDJSON keeps each line's bytes; Parquet keeps its values.
    const seen = (lines: string[]) =>
      format === 'parquet' ? lines.map((line) => JSON.parse(line)) : lines;
    const reference = await kind.create();
    const lines = seen(await prepare(reference, format));
    const counting = countMutations(reference);
    const clean = await compactPartition(
      { store: counting.store, codecs: nodeFileCodecs },
      HOUR,
      OPTIONS,
    );
    expect(clean.outputs).toHaveLength(2);
    expect(clean.inputs).toHaveLength(7);
    const finalFiles = await digests(reference);
    // Two outputs, the manifest switch, seven deletes.
    expect(counting.count()).toBe(10);

    for (let crashAt = 0; crashAt < counting.count(); crashAt++) {
      const store = await kind.create();
      await prepare(store, format);
      await expect(
        compactPartition(
          { store: crashBeforeMutation(store, crashAt), codecs: nodeFileCodecs },
          HOUR,
          OPTIONS,
        ),
      ).rejects.toThrow(SimulatedCrash);

      expect(seen(await readLiveLines(store, HOUR)), `crash before mutation ${crashAt}`).toEqual(
        lines,
      );

      const restart = await compactPartition({ store, codecs: nodeFileCodecs }, HOUR, OPTIONS);
      // Before the switch the restart deletes the orphan outputs and redoes the work; after it,
      // it deletes the inputs that are left.
      if (crashAt > 2) expect(restart.outputs).toEqual([]);
      expect(await digests(store), `crash before mutation ${crashAt}`).toEqual(finalFiles);
      expect(seen(await readLiveLines(store, HOUR))).toEqual(lines);
      if (format === 'parquet')
        expect(Object.keys(finalFiles).every(isParquetOrManifest)).toBe(true);
    }
  });
});
