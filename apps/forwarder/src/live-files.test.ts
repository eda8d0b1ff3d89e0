import type { ObjectStore } from '@sluice/store';
import { beforeEach, describe, expect, it } from 'vitest';
import { saveCheckpoint } from './checkpoint.js';
import { compactPartition } from './compaction/compact-partition.js';
import { writeManifest } from './compaction/manifest.js';
import {
  eventLine,
  gzipNdjson,
  HOUR,
  interruptingStore,
  putForwarderFile,
  readLiveLines,
  storeKindsClosedAfterAll,
} from './compaction/test-support.js';
import { nodeFileCodecs } from './formats/node-codecs.js';
import { listLiveFiles, readLiveFiles } from './live-files.js';

const kinds = storeKindsClosedAfterAll();

const OPTIONS = { targetFileBytes: 2_000, minFileBytes: 1, acknowledgedBelow: 1e9 };
const key = (name: string) => `${HOUR}${name}`;

describe.each(kinds)('the manifest-aware reader on the $name store', (kind) => {
  let store: ObjectStore;
  beforeEach(async () => {
    store = await kind.create();
  });

  it('reads named outputs and unreplaced files, never replaced inputs or uncommitted outputs', async () => {
    await putForwarderFile(store, HOUR, 0, [eventLine(0)]); // replaced, delete pending
    await store.put(
      key('00000000000000000000.c1.ndjson.gz'),
      gzipNdjson([eventLine(0), eventLine(1)]),
    );
    await store.put(key('00000000000000000000.c2.ndjson.gz'), gzipNdjson(['uncommitted']));
    await putForwarderFile(store, HOUR, 5, [eventLine(5)]); // late, after the compaction
    await store.put(key('import-7.ndjson.gz'), gzipNdjson([eventLine(7)])); // another writer's
    await writeManifest(store, HOUR, {
      version: 1,
      generation: 1,
      live: [{ name: '00000000000000000000.c1.ndjson.gz', bytes: 0, lines: 2 }],
      replaced: ['00000000000000000000.ndjson.gz', '00000000000000000001.ndjson.gz'],
    });
    await saveCheckpoint(store, 'forwarder', new Map([[HOUR, 5]]));

    expect(await listLiveFiles(store, '')).toEqual([
      key('00000000000000000000.c1.ndjson.gz'),
      key('00000000000000000005.ndjson.gz'),
      key('import-7.ndjson.gz'),
    ]);
    expect(await readLiveLines(store, 'events/')).toEqual([0, 1, 5, 7].map((n) => eventLine(n)));
  });

  it('reads the outputs a manifest names even when its listing ran before they were written', async () => {
    await putForwarderFile(store, HOUR, 0, [eventLine(0)]);
    await putForwarderFile(store, HOUR, 1, [eventLine(1)]);
    await compactPartition({ store, codecs: nodeFileCodecs }, HOUR, OPTIONS);
    const listedEarly: ObjectStore = {
      ...store,
      get: (k) => store.get(k),
      async *list(prefix) {
        for await (const info of store.list(prefix)) if (!info.key.includes('.c1.')) yield info;
      },
    };

    expect(await readLiveLines(listedEarly, HOUR)).toEqual([eventLine(0), eventLine(1)]);
  });

  it('sees every event once wherever in a read a whole compaction happens', async () => {
    const lines = [0, 3, 6, 9].map((n) => eventLine(n));
    const prepare = async (target: ObjectStore) => {
      for (const [i, line] of lines.entries()) await putForwarderFile(target, HOUR, i * 3, [line]);
    };
    // A read's calls: the listing's start and each listed item, the manifest, and each file.
    const calls = 1 + lines.length + 1 + lines.length;
    for (let at = 0; at <= calls; at++) {
      const target = await kind.create();
      await prepare(target);
      let call = 0;
      let compacted = false;
      const reader = interruptingStore(target, async () => {
        if (call++ !== at) return;
        const result = await compactPartition(
          { store: target, codecs: nodeFileCodecs },
          HOUR,
          OPTIONS,
        );
        expect(result.inputs).toHaveLength(4);
        compacted = true;
      });
      expect(await readLiveLines(reader, HOUR), `compaction before call ${at}`).toEqual(lines);
      expect(compacted || at === calls).toBe(true);
    }
  });

  it('stops, loudly, at a corrupt manifest rather than guess which files are live', async () => {
    await putForwarderFile(store, HOUR, 0, [eventLine(0)]);
    await store.put(key('_manifest.json'), new TextEncoder().encode('{"version":1,"live":[]'));
    await expect(listLiveFiles(store, HOUR)).rejects.toThrow(/manifest .* is damaged \(not JSON\)/);
  });

  it('gives up, loudly, when files keep vanishing', async () => {
    await putForwarderFile(store, HOUR, 0, [eventLine(0)]);
    const vanishing: ObjectStore = {
      ...store,
      list: (prefix) => store.list(prefix),
      get: async (k) => (k.endsWith('.ndjson.gz') ? undefined : store.get(k)),
    };
    const reading = readLiveFiles(vanishing, HOUR, { codecs: nodeFileCodecs, maxAttempts: 3 });
    await expect(reading.next()).rejects.toThrow(/kept vanishing/);
  });
});
