// The Cron Trigger in workerd (miniflare, the wrangler bundle): it compacts a closed
// partition's small files with the forwarder's compaction core over R2, recovers from a
// compaction that crashed half-way, and cuts lines whose alarm was lost.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactPartition } from '@sluice/forwarder';
import { gunzip, gzip } from '@sluice/forwarder/push';
import { ndjsonCodec } from '@sluice/layout';
import type { ObjectStore } from '@sluice/store';
import { createR2Store } from '@sluice/store/r2';
import { Miniflare, type MiniflareOptions } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledWorkerOptions, bundleWorker } from './bundled-worker.testkit.js';
import {
  bucketOf,
  delivery,
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

let dir: string;
let bundle: string;
const started: Miniflare[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-scheduled-'));
  bundle = join(dir, 'bundle');
  await bundleWorker(bundle);
}, 60_000);

afterAll(async () => {
  for (const instance of started) await instance.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function options(name: string, ageSeconds: number): Promise<MiniflareOptions> {
  return {
    ...(await bundledWorkerOptions(bundle, {
      SLUICE_CONFIG: JSON.stringify({ sources: [{ id: 'shop', writeKeys: ['wk_shop'] }] }),
      SLUICE_FILE_BYTES: String(FILE_BYTES),
      SLUICE_FILE_AGE_SECONDS: String(ageSeconds),
    })),
    durableObjectsPersist: join(dir, name, 'do'),
    r2Persist: join(dir, name, 'r2'),
  };
}

async function start(opts: MiniflareOptions): Promise<Miniflare> {
  const mf = new Miniflare(opts);
  started.push(mf);
  await mf.ready;
  return mf;
}

async function deliver(mf: Miniflare, batch: ReturnType<typeof delivery>[]): Promise<void> {
  const outcome = await (await mf.getWorker()).queue('sluice-events', batch);
  expect(outcome.outcome).toBe('ok');
  expect(outcome.explicitAcks.length).toBe(batch.length);
}

async function cron(mf: Miniflare): Promise<void> {
  const result = await (await mf.getWorker()).scheduled({ cron: '17 * * * *' });
  expect(result.outcome).toBe('ok');
}

/** `files` small files in `time`'s partition, 20 events each, cut by age one after another. */
async function smallFiles(mf: Miniflare, prefix: string, time: number, files: number) {
  const ids: string[] = [];
  const bucket = await bucketOf(mf);
  for (let f = 0; f < files; f += 1) {
    const batch = Array.from({ length: 20 }, (_, i) => delivery(`${prefix}-${f}-${i}`, time + i));
    ids.push(...batch.map((m) => m.id.slice(3)));
    await deliver(mf, batch);
    await waitForFiles(bucket, folderOf(time), f + 1);
  }
  return ids;
}

function folderOf(time: number): string {
  const iso = new Date(time).toISOString();
  return `events/source=shop/dt=${iso.slice(0, 10)}/hh=${iso.slice(11, 13)}/`;
}

const sorted = (ids: readonly string[]) => [...ids].sort();

describe('the Cron Trigger on Workers', () => {
  it('compacts a closed partition into one file within the band, every event once; runs again change nothing', async () => {
    const mf = await start(await options('compact', 1));
    const bucket = await bucketOf(mf);
    const closedIds = await smallFiles(mf, 'c', CLOSED, 5);
    const now = Date.now();
    const openIds = await smallFiles(mf, 'o', now, 2);
    expect((await fileLines(bucket, CLOSED_FOLDER)).size).toBe(5);

    await cron(mf);
    const closed = await fileLines(bucket, CLOSED_FOLDER);
    // One output in place of five inputs (deleted), 100 events of ~260 bytes: within the band.
    expect(closed.size).toBe(1);
    const [key, lines] = [...closed][0]!;
    expect(key).toMatch(/\.c1\.ndjson\.gz$/);
    const bytes = lines!.reduce((n, line) => n + Buffer.byteLength(line) + 1, 0);
    expect(bytes).toBeLessThanOrEqual(FILE_BYTES);
    expect(sorted(lines!.map((l) => JSON.parse(l).messageId))).toEqual(sorted(closedIds));
    expect(sorted(await liveIds(bucket, CLOSED_FOLDER))).toEqual(sorted(closedIds));
    // The open hour is left as it is: it may still get events.
    expect((await fileLines(bucket, folderOf(now))).size).toBe(2);
    expect(sorted(await liveIds(bucket, folderOf(now)))).toEqual(sorted(openIds));
    // The closed partition's object needs no more visits; the open one's does.
    const markers = [...(await objects(bucket, MARKERS)).keys()];
    expect(markers).toEqual([`${MARKERS}${folderOf(now)}marker.json`]);

    const before = await objects(bucket);
    await cron(mf);
    await cron(mf);
    expect(await objects(bucket)).toEqual(before);
  }, 120_000);

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
      const store = crashingAt(createR2Store(bucket), mutation);
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

  it('cuts the lines of an object whose alarm was lost into a file', async () => {
    const opts = await options('lost', 3);
    let mf = await start(opts);
    const batch = Array.from({ length: 30 }, (_, i) => delivery(`l-${i}`, CLOSED + i));
    await deliver(mf, batch);
    // Stopped before the 3 s alarm, and the alarm lost while stopped.
    await mf.dispose();
    started.splice(started.indexOf(mf), 1);
    expect(await loseAlarms(join(dir, 'lost', 'do'))).toBeGreaterThan(0);
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

/** A store whose `mutation`-th put or delete (from 0) and every call after it fail. */
function crashingAt(inner: ObjectStore, mutation: number): ObjectStore {
  let mutations = 0;
  let crashed = false;
  const alive = () => {
    if (crashed) throw new Error('simulated crash');
  };
  const mutate = async (action: () => Promise<void>) => {
    alive();
    if (mutations++ === mutation) {
      crashed = true;
      throw new Error('simulated crash');
    }
    await action();
  };
  return {
    put: (key, body, o) => mutate(() => inner.put(key, body, o)),
    delete: (key) => mutate(() => inner.delete(key)),
    async get(key) {
      alive();
      return inner.get(key);
    },
    async *list(prefix) {
      alive();
      yield* inner.list(prefix);
    },
  };
}
