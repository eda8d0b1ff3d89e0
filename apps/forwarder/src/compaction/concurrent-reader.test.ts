// Readers that list and read a partition while compaction runs never count an event twice and
// never miss one. The first test interleaves a reader's every call (and every item of its
// listings) with compaction's puts and deletes in many seeded orders; the second lets both run
// freely against s3rver.

import type { ObjectStore } from '@sluice/store';
import { describe, expect, it } from 'vitest';
import { nodeFileCodecs } from '../formats/node-codecs.js';
import { storeKindsClosedAfterAll } from '../testing/store-kinds.js';
import { compactClosedPartitions } from './compact-closed-partitions.js';
import { compactPartition } from './compact-partition.js';
import {
  createStepper,
  eventLine,
  HOUR,
  interruptingStore,
  putForwarderFile,
  readLiveLines,
  seededRandom,
} from './test-support.js';

const kinds = storeKindsClosedAfterAll();

const OPTIONS = { targetFileBytes: 2_000, minFileBytes: 1, acknowledgedBelow: 1e9 };

async function writeFiles(store: ObjectStore, partition: string, positions: number[]) {
  const lines: string[] = [];
  for (const position of positions) {
    const fileLines = [0, 1, 2].map((i) => eventLine(position + i));
    await putForwarderFile(store, partition, position, fileLines);
    lines.push(...fileLines);
  }
  return lines;
}

describe.each(kinds)('a reader during compaction on the $name store', (kind) => {
  it('sees every event exactly once in many seeded interleavings of its calls with compaction', async () => {
    const seeds = kind.name === 'fs' ? 24 : 4;
    let reads = 0;
    let vanished = 0;
    const countVanished = (inner: ObjectStore): ObjectStore => ({
      ...inner,
      list: (prefix) => inner.list(prefix),
      async get(key) {
        const bytes = await inner.get(key);
        if (!bytes && !key.endsWith('_manifest.json')) vanished++;
        return bytes;
      },
    });
    for (let seed = 1; seed <= seeds; seed++) {
      const store = await kind.create();
      // First run: eight forwarder files; second run: the small output plus five late files.
      for (const [round, positions] of [
        [1, [0, 3, 6, 9, 12, 15, 18, 21]],
        [2, [30, 33, 36, 39, 42]],
      ] as const) {
        await writeFiles(store, HOUR, [...positions]);
        const expected = await readLiveLines(store, HOUR);
        const stepper = createStepper(store);
        const compaction = compactPartition(
          { store: stepper.store, codecs: nodeFileCodecs },
          HOUR,
          OPTIONS,
        ).finally(() => stepper.finished());
        const random = seededRandom(seed * 10 + round);
        // Each read runs at one state of the compaction, except that before one of its calls
        // (or between two items of a listing), picked at random, compaction jumps ahead by 1-12
        // puts or deletes: the races of a reader with a writer, one at a time. (live-files.test.ts
        // runs a whole compaction before each call of a read in turn.)
        let call = 0;
        let jumpAt = 0;
        let jump = 0;
        const reader = interruptingStore(countVanished(store), () =>
          stepper.advance(call++ === jumpAt ? jump : 0),
        );
        const read = () => {
          call = 0;
          jumpAt = Math.floor(random() * 16);
          jump = 1 + Math.floor(random() * 12);
          return readLiveLines(reader, HOUR);
        };
        let settled = false;
        void compaction.then(() => {
          settled = true;
        });
        while (!settled) {
          expect(await read(), `seed ${seed}, round ${round}`).toEqual(expected);
          reads++;
        }
        const result = await compaction;
        expect(result.outputs.length).toBeGreaterThan(0);
        expect(await readLiveLines(store, HOUR)).toEqual(expected);
      }
    }
    // More than one read per compaction: reads did overlap it.
    expect(reads).toBeGreaterThan(seeds * 2);
    // Some reads found a file deleted under them and read a fresh snapshot (with the fewer
    // seeds of s3 that may not happen: live-files.test.ts forces that case on both stores).
    if (kind.name === 'fs') expect(vanished).toBeGreaterThan(0);
  });
});

describe('a reader during compaction against s3rver, both running freely', () => {
  it('reads every event exactly once in every read', async () => {
    const s3 = kinds.find((kind) => kind.name === 's3');
    const store = await (s3 as (typeof kinds)[number]).create();
    const expected: string[] = [];
    for (const hour of ['10', '11', '12']) {
      const partition = `events/source=shop/dt=2026-11-24/hh=${hour}/`;
      expected.push(...(await writeFiles(store, partition, [0, 3, 6, 9, 12, 15, 18, 21, 24, 27])));
    }
    const compaction = compactClosedPartitions(
      { store, codecs: nodeFileCodecs, now: () => Date.UTC(2026, 10, 25) },
      OPTIONS,
    );
    let settled = false;
    void compaction.then(() => {
      settled = true;
    });
    do {
      expect((await readLiveLines(store, 'events/')).sort()).toEqual([...expected].sort());
    } while (!settled);
    const report = await compaction;
    expect(report.failed).toEqual([]);
    expect(report.partitions.every((partition) => partition.outputs.length > 0)).toBe(true);
  });
});
