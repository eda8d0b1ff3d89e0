import type { ObjectStore } from '@sluice/store';
import { beforeEach, describe, expect, it } from 'vitest';
import { saveCheckpoint } from '../checkpoint.js';
import { nodeFileCodecs } from '../formats/node-codecs.js';
import { zstdCompress, zstdDecompress } from '../formats/zstd.js';
import { listLiveFiles } from '../live-files.js';
import { type CompactPartitionOptions, compactPartition } from './compact-partition.js';
import { readManifest } from './manifest.js';
import {
  dataNames,
  digests,
  eventLine,
  gunzipLines,
  HOUR,
  putForwarderFile,
  readLiveLines,
  readPlainLines,
  storeKindsClosedAfterAll,
} from './test-support.js';

const kinds = storeKindsClosedAfterAll();

/** Small targets for tests; every position acknowledged unless a test says otherwise. */
const OPTIONS: CompactPartitionOptions = {
  targetFileBytes: 2_000,
  minFileBytes: 1,
  acknowledgedBelow: 1e9,
};

/** `count` forwarder files of 3 lines each (about 400 bytes of NDJSON), positions 0, 3, 6, ... */
async function writeFiles(store: ObjectStore, count: number, from = 0): Promise<string[]> {
  const lines: string[] = [];
  for (let file = 0; file < count; file++) {
    const position = from + file * 3;
    const fileLines = [0, 1, 2].map((i) => eventLine(position + i));
    await putForwarderFile(store, HOUR, position, fileLines);
    lines.push(...fileLines);
  }
  return lines;
}

describe.each(kinds)('compactPartition on the $name store', (kind) => {
  let store: ObjectStore;
  const deps = () => ({ store, codecs: nodeFileCodecs });
  beforeEach(async () => {
    store = await kind.create();
  });

  it('merges small files into files of up to the target size, and every event is read once', async () => {
    const lines = await writeFiles(store, 12);

    const result = await compactPartition(deps(), HOUR, OPTIONS);

    // 12 files of ~400 bytes, target 2,000: four outputs of three or four inputs, nothing kept.
    expect(result.inputs).toHaveLength(12);
    expect(result.kept).toEqual([]);
    expect(result.outputs.length).toBeLessThan(12);
    for (const output of result.outputs) {
      expect(output.bytes).toBeLessThanOrEqual(2_000);
      expect(output.bytes * 2).toBeGreaterThanOrEqual(2_000);
    }
    expect(await dataNames(store, HOUR)).toEqual(
      result.outputs.map((output) => output.key.slice(HOUR.length)),
    );
    expect(result.outputs[0]?.key).toBe(`${HOUR}00000000000000000000.c1.ndjson.gz`);
    // Both a plain glob and the manifest-aware reader see each event once, in order.
    expect(await readPlainLines(store, HOUR)).toEqual(lines);
    expect(await readLiveLines(store, HOUR)).toEqual(lines);
    expect((await readManifest(store, HOUR)).generation).toBe(1);
  });

  it('writes nothing when run again, and leaves the same files', async () => {
    await writeFiles(store, 7);
    await compactPartition(deps(), HOUR, OPTIONS);
    const before = await digests(store);

    const again = await compactPartition(deps(), HOUR, OPTIONS);

    expect(again).toMatchObject({ inputs: [], outputs: [], recovered: [], generation: 1 });
    expect(await digests(store)).toEqual(before);
  });

  it('reads files written after compaction (late events) and merges them on the next run', async () => {
    // Two files make an output under half the target: the next run may merge into it.
    const early = await writeFiles(store, 2);
    await compactPartition(deps(), HOUR, OPTIONS);
    const late = await writeFiles(store, 2, 100);

    expect(await readLiveLines(store, HOUR)).toEqual([...early, ...late]);
    expect(await readPlainLines(store, HOUR)).toEqual([...early, ...late]);

    const second = await compactPartition(deps(), HOUR, OPTIONS);
    expect(second.generation).toBe(2);
    expect(await dataNames(store, HOUR)).toEqual(['00000000000000000000.c2.ndjson.gz']);
    expect(await readLiveLines(store, HOUR)).toEqual([...early, ...late]);
    expect(await readPlainLines(store, HOUR)).toEqual([...early, ...late]);
  });

  it('leaves the newest forwarder file alone until its checkpoint or acknowledgement shows it is final', async () => {
    const lines = await writeFiles(store, 4);
    const { acknowledgedBelow: _, ...unacknowledged } = OPTIONS;

    const first = await compactPartition(deps(), HOUR, unacknowledged);
    expect(first.kept).toEqual([`${HOUR}00000000000000000009.ndjson.gz`]);
    expect(await readLiveLines(store, HOUR)).toEqual(lines);

    // The forwarder's checkpoint covers it now: it is final.
    await saveCheckpoint(store, 'forwarder', new Map([[HOUR, 11]]));
    const second = await compactPartition(deps(), HOUR, unacknowledged);
    expect(second.inputs).toEqual([
      `${HOUR}00000000000000000000.c1.ndjson.gz`,
      `${HOUR}00000000000000000009.ndjson.gz`,
    ]);
    expect(await dataNames(store, HOUR)).toEqual(['00000000000000000000.c2.ndjson.gz']);
    expect(await readLiveLines(store, HOUR)).toEqual(lines);
  });

  it('leaves files of at least half the target, of unknown formats, and Parquet it did not write, as they are', async () => {
    const big = Array.from({ length: 10 }, (_, i) => eventLine(1000 + i));
    const small = await writeFiles(store, 3);
    await putForwarderFile(store, HOUR, 500, big);
    await store.put(`${HOUR}00000000000000000600.parquet`, new Uint8Array([80, 65, 82, 49]));

    const result = await compactPartition(deps(), HOUR, OPTIONS);

    expect(result.kept).toEqual([
      `${HOUR}00000000000000000500.ndjson.gz`,
      `${HOUR}00000000000000000600.parquet`,
    ]);
    expect(await listLiveFiles(store, HOUR)).toEqual([
      `${HOUR}00000000000000000000.c1.ndjson.gz`,
      `${HOUR}00000000000000000500.ndjson.gz`,
      `${HOUR}00000000000000000600.parquet`,
    ]);
    const output = await store.get(`${HOUR}00000000000000000000.c1.ndjson.gz`);
    expect(gunzipLines(output as Uint8Array)).toEqual(small);
  });

  it('merges zstd files into a zstd output and gzip files into a gzip one', async () => {
    const gz = await writeFiles(store, 2);
    const zst: string[] = [];
    for (const position of [50, 53]) {
      const fileLines = [0, 1, 2].map((i) => eventLine(position + i));
      const ndjson = new TextEncoder().encode(fileLines.map((l) => `${l}\n`).join(''));
      await store.put(
        `${HOUR}${String(position).padStart(20, '0')}.ndjson.zst`,
        await zstdCompress(ndjson),
      );
      zst.push(...fileLines);
    }

    await compactPartition(deps(), HOUR, OPTIONS);

    expect(await dataNames(store, HOUR)).toEqual([
      '00000000000000000000.c1.ndjson.gz',
      '00000000000000000050.c1.ndjson.zst',
    ]);
    const output = await store.get(`${HOUR}00000000000000000050.c1.ndjson.zst`);
    const text = new TextDecoder().decode(await zstdDecompress(output as Uint8Array));
    expect(text).toBe(zst.map((l) => `${l}\n`).join(''));
    expect(await readLiveLines(store, HOUR)).toEqual([...gz, ...zst]);
  });
});
