// The Cron Trigger in workerd (miniflare, the wrangler bundle): it compacts a closed
// partition's small files (gzip NDJSON and Parquet) with the forwarder's compaction core over
// R2, marks and compacts partitions written before markers, recovers from a
// compaction that crashed half-way, and cuts lines whose alarm was lost.
import { gzipSync } from 'node:zlib';
import type { R2Bucket } from '@cloudflare/workers-types';
import { compactPartition } from '@sluice/forwarder';
import { gunzip, gzip } from '@sluice/forwarder/push';
import { ndjsonCodec } from '@sluice/layout';
import { createR2Store } from '@sluice/store/r2';
import type { Miniflare, MiniflareOptions } from 'miniflare';
import { beforeAll, describe, expect, it } from 'vitest';
import { crashBeforeMutation } from '../../forwarder/src/compaction/test-support.js';
import { bundledWorkers } from './bundled-worker.testkit.js';
import { listMarkedPartitions, markerKeyOf } from './partition-marker.js';
import { afterFolder, type ScanState, scanPartitionFolders } from './partition-scan.js';
import {
  bucketOf,
  delivery,
  fileIds,
  fileLines,
  liveIds,
  loseAlarms,
  objects,
  waitForFiles,
} from './scheduled.testkit.js';

const FILE_BYTES = 64 * 1024;
/** A closed hour (long past, beyond the 2 h grace) and the hour now (open). */
const CLOSED = Date.UTC(2026, 2, 1, 10);
const CLOSED_FOLDER = 'events/source=shop/dt=2026-03-01/hh=10/';
const MARKERS = '_sluice/partition-files/';

const workers = bundledWorkers('scheduled');

/** An instance on its own disk (`name`), files cut after `ageSeconds`, `vars` over the rest. */
async function options(
  name: string,
  ageSeconds: number,
  vars: Record<string, string> = {},
): Promise<MiniflareOptions> {
  return {
    ...(await workers.options({
      SLUICE_CONFIG: JSON.stringify({
        sources: [
          { id: 'shop', writeKeys: ['wk_shop'] },
          { id: 'blog', writeKeys: ['wk_blog'] },
        ],
      }),
      SLUICE_FILE_BYTES: String(FILE_BYTES),
      SLUICE_FILE_AGE_SECONDS: String(ageSeconds),
      ...vars,
    })),
    durableObjectsPersist: workers.path(name, 'do'),
    r2Persist: workers.path(name, 'r2'),
  };
}

const start = (opts: MiniflareOptions) => workers.start(opts);

async function deliver(mf: Miniflare, batch: ReturnType<typeof delivery>[]): Promise<void> {
  const outcome = await (await mf.getWorker()).queue('sluice-events', batch);
  expect(outcome.outcome).toBe('ok');
  expect(outcome.explicitAcks.length).toBe(batch.length);
}

async function cron(mf: Miniflare): Promise<void> {
  const result = await (await mf.getWorker()).scheduled({ cron: '17 * * * *' });
  expect(result.outcome).toBe('ok');
}

/**
 * `files` small files in `time`'s partition of `source`, 20 events each, cut by age one after
 * another.
 */
async function smallFiles(
  mf: Miniflare,
  prefix: string,
  time: number,
  files: number,
  source = 'shop',
) {
  const ids: string[] = [];
  const bucket = await bucketOf(mf);
  for (let f = 0; f < files; f += 1) {
    const batch = Array.from({ length: 20 }, (_, i) =>
      delivery(`${prefix}-${f}-${i}`, time + i, source),
    );
    ids.push(...batch.map((m) => m.id.slice(3)));
    await deliver(mf, batch);
    await waitForFiles(bucket, folderOf(time, source), f + 1);
  }
  return ids;
}

function folderOf(time: number, source = 'shop'): string {
  const iso = new Date(time).toISOString();
  return `events/source=${source}/dt=${iso.slice(0, 10)}/hh=${iso.slice(11, 13)}/`;
}

const sorted = (ids: readonly string[]) => [...ids].sort();

describe('the Cron Trigger on Workers', () => {
  it.each([
    { format: 'ndjson-gzip', extension: '.ndjson.gz', closedFiles: 5, openFiles: 2 },
    // Fewer files: every age cut is a second of the suite's time.
    { format: 'parquet', extension: '.parquet', closedFiles: 3, openFiles: 1 },
  ])(
    'compacts a closed partition of $format into one file within the band, every event once; runs again change nothing',
    async ({ format, extension, closedFiles, openFiles }) => {
      const mf = await start(await options(`compact-${format}`, 1, { SLUICE_FORMAT: format }));
      const bucket = await bucketOf(mf);
      const closedIds = await smallFiles(mf, 'c', CLOSED, closedFiles);
      const now = Date.now();
      const openIds = await smallFiles(mf, 'o', now, openFiles);
      expect((await fileIds(bucket, CLOSED_FOLDER)).size).toBe(closedFiles);

      await cron(mf);
      const closed = await fileIds(bucket, CLOSED_FOLDER);
      // One output in place of the inputs (deleted), in the partition's format.
      expect(closed.size).toBe(1);
      const [key, ids] = [...closed][0]!;
      expect(key.endsWith(`.c1${extension}`)).toBe(true);
      expect(sorted(ids!)).toEqual(sorted(closedIds));
      if (format === 'ndjson-gzip') {
        // 100 events of ~260 bytes: within the band.
        const lines = (await fileLines(bucket, CLOSED_FOLDER)).get(key)!;
        const bytes = lines.reduce((n, line) => n + Buffer.byteLength(line) + 1, 0);
        expect(bytes).toBeLessThanOrEqual(FILE_BYTES);
      }
      expect(sorted(await liveIds(bucket, CLOSED_FOLDER))).toEqual(sorted(closedIds));
      // The open hour is left as it is: it may still get events.
      expect((await fileIds(bucket, folderOf(now))).size).toBe(openFiles);
      expect(sorted(await liveIds(bucket, folderOf(now)))).toEqual(sorted(openIds));
      // The closed partition's object needs no more visits; the open one's does.
      const markers = [...(await objects(bucket, MARKERS)).keys()];
      expect(markers).toEqual([`${MARKERS}${folderOf(now)}marker.json`]);

      const before = await objects(bucket);
      await cron(mf);
      await cron(mf);
      expect(await objects(bucket)).toEqual(before);
    },
    120_000,
  );

  it.each([
    { crash: 'before the manifest put (outputs orphaned)', mutation: 1 },
    { crash: 'after the manifest put, before the deletes', mutation: 2 },
    { crash: 'after one input was deleted', mutation: 3 },
  ])(
    'a compaction that crashed $crash: every event readable once, and the next run finishes',
    async ({ mutation }) => {
      const mf = await start(await options(`crash-${mutation}`, 1));
      const bucket = await bucketOf(mf);
      const ids = await smallFiles(mf, `k${mutation}`, CLOSED, 4);
      // The same compaction core the Worker runs, over the same bucket, with a store that fails
      // at its `mutation`-th put or delete and every call after it: the crash point. The
      // Worker's codec (Web streams): miniflare's R2 proxy takes no Node Buffer.
      const codecs = [ndjsonCodec('ndjson-gzip', { compress: gzip, decompress: gunzip })];
      const store = crashBeforeMutation(createR2Store(bucket), mutation);
      await expect(
        compactPartition({ store, codecs }, CLOSED_FOLDER, {
          targetFileBytes: FILE_BYTES,
          minFileBytes: 1,
        }),
      ).rejects.toThrow('simulated crash');
      expect(sorted(await liveIds(bucket, CLOSED_FOLDER))).toEqual(sorted(ids));

      await cron(mf);
      const files = await fileLines(bucket, CLOSED_FOLDER);
      expect(files.size).toBe(1);
      expect(sorted([...files.values()].flat().map((l) => JSON.parse(l).messageId))).toEqual(
        sorted(ids),
      );
      expect(sorted(await liveIds(bucket, CLOSED_FOLDER))).toEqual(sorted(ids));
    },
    120_000,
  );

  it('compacts a partition written before markers, and visits every marker in turn when there are more than a run visits', async () => {
    // One visit a run (SLUICE_VISITS_PER_RUN): as 1,000 are to a bucket with more markers.
    const mf = await start(await options('older', 1, { SLUICE_VISITS_PER_RUN: '1' }));
    const bucket = await bucketOf(mf);
    // An open partition that sorts first and stays marked (its hour is not over).
    const now = Date.now();
    await smallFiles(mf, 'b', now, 1, 'blog');
    // A closed one as the Worker wrote it before markers (and before Durable Objects): files
    // of 20 events, no marker, no object state.
    const ids: string[] = [];
    for (let f = 0; f < 3; f += 1) {
      const lines = Array.from({ length: 20 }, (_, i) => {
        ids.push(`old-${f}-${i}`);
        return `${JSON.stringify({ type: 'track', event: 'Viewed', messageId: `old-${f}-${i}` })}\n`;
      });
      await bucket.put(
        `${CLOSED_FOLDER}old-${f}.ndjson.gz`,
        new Uint8Array(gzipSync(lines.join(''))),
      );
    }
    expect([...(await objects(bucket, MARKERS)).keys()]).toEqual([
      `${MARKERS}${folderOf(now, 'blog')}marker.json`,
    ]);

    // The first run marks both (the scan) and visits the first marker, the open partition's.
    await cron(mf);
    expect([...(await objects(bucket, MARKERS)).keys()].sort()).toEqual(
      [
        `${MARKERS}${folderOf(now, 'blog')}marker.json`,
        `${MARKERS}${CLOSED_FOLDER}marker.json`,
      ].sort(),
    );
    expect((await fileIds(bucket, CLOSED_FOLDER)).size).toBe(3);
    // The next starts after it: the old partition is compacted, its marker gone.
    await cron(mf);
    const files = await fileIds(bucket, CLOSED_FOLDER);
    expect(files.size).toBe(1);
    expect(sorted([...files.values()].flat())).toEqual(sorted(ids));
    expect(sorted(await liveIds(bucket, CLOSED_FOLDER))).toEqual(sorted(ids));
    expect([...(await objects(bucket, MARKERS)).keys()]).toEqual([
      `${MARKERS}${folderOf(now, 'blog')}marker.json`,
    ]);
    // And round again: the open partition keeps its files and its marker.
    await cron(mf);
    expect((await fileIds(bucket, folderOf(now, 'blog'))).size).toBe(1);
    expect((await objects(bucket, MARKERS)).size).toBe(1);
  }, 60_000);

  it('cuts the lines of an object whose alarm was lost into a file', async () => {
    const opts = await options('lost', 3);
    let mf = await start(opts);
    const batch = Array.from({ length: 30 }, (_, i) => delivery(`l-${i}`, CLOSED + i));
    await deliver(mf, batch);
    // Stopped before the 3 s alarm, and the alarm lost while stopped.
    await workers.stop(mf);
    expect(await loseAlarms(workers.path('lost', 'do'))).toBeGreaterThan(0);
    mf = await start(opts);
    const bucket = await bucketOf(mf);
    // Past the age and the lost-alarm margin: nothing cuts these lines by itself.
    await new Promise((r) => setTimeout(r, 9_000));
    expect((await fileLines(bucket, CLOSED_FOLDER)).size).toBe(0);

    await cron(mf);
    const files = await fileLines(bucket, CLOSED_FOLDER);
    expect(files.size).toBe(1);
    const stored = [...files.values()].flat().map((l) => JSON.parse(l).messageId);
    expect(sorted(stored)).toEqual(sorted(batch.map((m) => m.id.slice(3))));
  }, 60_000);
});

// The scan and the markers' round with pages far below R2's 1,000, so that every resume point
// is crossed, over the bundle's bucket in workerd (the functions run from here, as the crash
// test runs the compaction core), in place of a bucket of thousands of objects.
describe("the scan for partitions older than markers, and the markers' round, in small pages", () => {
  let mf: Miniflare;
  beforeAll(async () => {
    mf = await start(await options('pages', 60));
  });

  const markerKeys = async (bucket: R2Bucket) =>
    (await bucket.list({ prefix: MARKERS })).objects.map(({ key }) => key);

  it('marks every partition folder holding a data file once, a bounded step at a time, resuming where it stopped', async () => {
    const bucket = await bucketOf(mf);
    const hour = (source: string, h: number) =>
      `events/source=${source}/dt=2026-03-01/hh=${String(h).padStart(2, '0')}/`;
    // Folders of 1–4 files (the jump past a folder's files), `source=ab` right after
    // `source=a` (a jump too far would skip it), a folder with only a manifest, a key in no
    // partition, and prefixes the scan leaves alone (a replay, the markers' own folder).
    const folders = [hour('a', 10), hour('a', 11), hour('ab', 10), hour('b', 23)];
    const quarantine = 'quarantine/source=a/dt=2026-03-01/';
    for (const [i, folder] of [...folders, quarantine].entries()) {
      for (let f = 0; f <= i % 4; f += 1) await bucket.put(`${folder}f${f}.ndjson.gz`, 'x');
    }
    await bucket.put(`${hour('c', 1)}_manifest.json`, '{}');
    await bucket.put('events/readme.txt', 'not in a partition');
    await bucket.put(`replay/1-2/${hour('a', 10)}f.ndjson.gz`, 'not the Worker’s');
    await bucket.put(`${MARKERS}${hour('z', 0)}marker.json`, '{}');

    const marked: string[] = [];
    let state: ScanState = {};
    let steps = 0;
    while (!state.done) {
      const step = await scanPartitionFolders(bucket, state, { lists: 1, markers: 1, pageSize: 2 });
      marked.push(...step.marked);
      state = step.state;
      steps += 1;
      expect(steps).toBeLessThan(30);
    }
    expect(marked).toEqual([...folders, quarantine]);
    expect((await markerKeys(bucket)).sort()).toEqual(
      [...folders, quarantine, hour('z', 0)].map(markerKeyOf).sort(),
    );
    // Done for good: a later step lists nothing and marks nothing.
    await bucket.put(`${hour('d', 5)}late.ndjson.gz`, 'x');
    expect(await scanPartitionFolders(bucket, state)).toEqual({
      state: { done: true },
      marked: [],
      subrequests: 0,
    });
  });

  it('skips exactly the folder it marked: the key after it is past every key inside', () => {
    const folder = 'events/source=a/dt=2026-03-01/hh=10/';
    expect(`${folder}zzzz.parquet` < afterFolder(folder)).toBe(true);
    expect(`${folder}\u{10ffff}` < afterFolder(folder)).toBe(true);
    expect('events/source=a/dt=2026-03-01/hh=11/a.parquet' > afterFolder(folder)).toBe(true);
    expect('events/source=a/dt=2026-03-01/hh=100/a.parquet' > afterFolder(folder)).toBe(true);
  });

  it('visits every marker in turn, `limit` a call, going round', async () => {
    const bucket = await bucketOf(mf);
    // The scan's markers above.
    const keys = (await markerKeys(bucket)).sort();
    expect(keys.length).toBe(6);
    const partitions = keys.map((key) => key.slice(MARKERS.length, -'marker.json'.length));
    const seen: string[][] = [];
    let after: string | undefined;
    for (let run = 0; run < 3; run += 1) {
      const { partitions: visited, last } = await listMarkedPartitions(bucket, 4, after);
      seen.push(visited);
      after = last;
    }
    const at = (...i: number[]) => i.map((n) => partitions[n]);
    expect(seen).toEqual([at(0, 1, 2, 3), at(4, 5, 0, 1), at(2, 3, 4, 5)]);
    // More than there are: each once.
    expect((await listMarkedPartitions(bucket, 10, keys[2])).partitions).toEqual(
      at(3, 4, 5, 0, 1, 2),
    );
  });
});
