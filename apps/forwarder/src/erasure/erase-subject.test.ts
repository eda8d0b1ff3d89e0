import type { ObjectStore } from '@sluice/store';
import { beforeEach, describe, expect, it } from 'vitest';
import { compactPartition } from '../compaction/compact-partition.js';
import { readManifest } from '../compaction/manifest.js';
import {
  digests,
  eventLine,
  gunzipLines,
  gzipNdjson,
  HOUR,
  putForwarderFile,
  readLiveLines,
  readPlainLines,
  storeKindsClosedAfterAll,
} from '../compaction/test-support.js';
import { nodeFileCodecs } from '../formats/node-codecs.js';
import { type ErasureProgress, eraseSubject } from './erase-subject.js';

const kinds = storeKindsClosedAfterAll();

const NEXT_HOUR = 'events/source=shop/dt=2026-11-24/hh=11/';
const QUARANTINE = 'quarantine/source=shop/dt=2026-11-24/';
const COMPACTION = { targetFileBytes: 64 * 1024, minFileBytes: 1, acknowledgedBelow: 1e9 };

/** Whose line it is: u-1 for every third event. */
const line = (n: number) =>
  eventLine(n, n % 3 === 0 ? { userId: 'u-1' } : { userId: `other-${n}` });
const quarantined = (n: number, userId: string) =>
  JSON.stringify({
    reason: [{ path: 'type', message: 'invalid' }],
    event: { userId, n },
    receivedAt: 'x',
  });
const isSubjects = (text: string) => /"userId":"u-1"/.test(text);
/** What a reader of gzip NDJSON sees (the file no codec reads lives under source=app). */
const readShop = async (store: ObjectStore) => [
  ...(await readLiveLines(store, 'events/source=shop/')),
  ...(await readLiveLines(store, 'quarantine/')),
];

describe.each(kinds)('eraseSubject on the $name store', (kind) => {
  let store: ObjectStore;
  const deps = () => ({ store, codecs: nodeFileCodecs });
  beforeEach(async () => {
    store = await kind.create();
  });

  /**
   * A compacted hour with a late file and the leftovers of an interrupted compaction (a replaced
   * input and an uncommitted output, both holding u-1), a plain hour with one file free of u-1,
   * quarantine, and a file of a format no codec reads.
   */
  async function prepare(): Promise<{ untouched: string; unreadable: string }> {
    for (const position of [0, 4, 8]) {
      await putForwarderFile(
        store,
        HOUR,
        position,
        [0, 1, 2, 3].map((i) => line(position + i)),
      );
    }
    await compactPartition(deps(), HOUR, COMPACTION);
    await putForwarderFile(store, HOUR, 20, [line(20), line(21)]); // late
    await putForwarderFile(store, HOUR, 0, [line(0)]); // replaced, delete pending
    await store.put(`${HOUR}00000000000000000020.c2.ndjson.gz`, gzipNdjson([line(21)])); // orphan
    await putForwarderFile(store, NEXT_HOUR, 30, [line(30), line(31)]);
    const untouched = await putForwarderFile(store, NEXT_HOUR, 32, [line(32), line(34)]);
    await store.put(
      `${QUARANTINE}00000000000000000040.ndjson.gz`,
      gzipNdjson([quarantined(40, 'u-1'), quarantined(41, 'u-2')]),
    );
    const unreadable = 'events/source=app/dt=2026-11-24/hh=11/00000000000000000050.parquet';
    await store.put(unreadable, new Uint8Array([80, 65, 82, 49]));
    return { untouched, unreadable };
  }

  it('removes every line of a userId from events and quarantine, and no other line', async () => {
    const { untouched, unreadable } = await prepare();
    const before = await readShop(store);
    const untouchedBytes = (await digests(store, untouched))[untouched];
    const progress: ErasureProgress[] = [];

    const report = await eraseSubject(deps(), {
      subject: { userId: 'u-1' },
      onProgress: (step) => progress.push(step),
    });

    // Events 0, 3, 6, 9 (compacted), 21 (late), 30 (next hour) and one quarantined event.
    expect(report).toMatchObject({
      partitions: 4,
      eventsRemoved: 6,
      quarantinedRemoved: 1,
      filesRewritten: 4,
      leftoversDeleted: 2,
      unreadableFiles: [unreadable],
      unparsedLines: 0,
    });
    expect(progress.filter((step) => step.type === 'rewritten')).toHaveLength(4);
    const after = await readShop(store);
    expect(after).toEqual(before.filter((text) => !isSubjects(text)));
    expect(after).toHaveLength(before.length - 7);
    // No copy anywhere, not even in files a reader ignores.
    expect((await readPlainLines(store, '')).filter(isSubjects)).toEqual([]);
    expect(await readPlainLines(store, '')).toEqual(after);
    expect((await digests(store, untouched))[untouched]).toBe(untouchedBytes);
    // The manifest still describes the rewritten output truly.
    const [output] = (await readManifest(store, HOUR)).live;
    const stored = gunzipLines((await store.get(`${HOUR}${output?.name}`)) as Uint8Array);
    expect(output?.lines).toBe(stored.length);
    expect(output?.bytes).toBe(
      new TextEncoder().encode(stored.map((l) => `${l}\n`).join('')).byteLength,
    );
  });

  it('finds nothing more when run again, and changes no file', async () => {
    await prepare();
    await eraseSubject(deps(), { subject: { userId: 'u-1' } });
    const files = await digests(store);

    const again = await eraseSubject(deps(), { subject: { userId: 'u-1' } });

    expect(again).toMatchObject({
      eventsRemoved: 0,
      quarantinedRemoved: 0,
      filesRewritten: 0,
      leftoversDeleted: 0,
    });
    expect(await digests(store)).toEqual(files);
    // Compaction goes on from the erased state, every remaining event once.
    const remaining = await readLiveLines(store, HOUR);
    await compactPartition(deps(), HOUR, COMPACTION);
    expect(await readLiveLines(store, HOUR)).toEqual(remaining);
  });

  it('removes the events of an anonymousId, and aliases from it', async () => {
    const lines = [
      eventLine(1, { anonymousId: 'anon-7' }),
      eventLine(2, { anonymousId: 'anon-8' }),
      eventLine(3, { type: 'alias', anonymousId: 'anon-9', previousId: 'anon-7', userId: 'u-5' }),
    ];
    await putForwarderFile(store, HOUR, 0, lines);

    const report = await eraseSubject(deps(), { subject: { anonymousId: 'anon-7' } });

    expect(report).toMatchObject({ eventsRemoved: 2, filesRewritten: 1 });
    expect(await readShop(store)).toEqual([lines[1]]);
  });
});
