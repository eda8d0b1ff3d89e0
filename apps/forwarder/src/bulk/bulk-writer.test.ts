import type { ObjectStore } from '@sluice/store';
import { afterAll, expect, it } from 'vitest';
import { gzipLevel6 } from '../node.js';
import { type BulkLine, createBulkWriter } from './bulk-writer.js';
import { digests, linesOf, snapshot, storeCases } from './test-support.js';

const cases = storeCases();
const fsCase = cases[0]!;
afterAll(() => fsCase.close());

const encoder = new TextEncoder();

/** 90 lines of 100 bytes (with the newline) over three partitions, one partition twice as busy. */
function lines(): BulkLine[] {
  return Array.from({ length: 90 }, (_, n) => {
    const partition = ['events/a/', 'events/b/', 'events/a/', 'events/c/'][n % 4] as string;
    return {
      partition,
      id: `m${n}`,
      body: encoder.encode(`{"n":${String(n).padStart(93, '0')}}`),
      ordinal: n,
    };
  });
}

function writer(
  store: ObjectStore,
  options: Partial<Parameters<typeof createBulkWriter>[0]['options']> = {},
) {
  return createBulkWriter({
    store,
    compress: gzipLevel6,
    fileName: (ordinal) => String(ordinal).padStart(4, '0'),
    options: {
      prefix: 'p/',
      maxFileBytes: 1_000,
      maxBufferedBytes: 1_000_000,
      uploadConcurrency: 4,
      retryInitialMs: 1,
      retryMaxMs: 5,
      ...options,
    },
  });
}

/** A store whose puts finish in a shuffled order: uploads complete out of order. */
function jitteryStore(store: ObjectStore): ObjectStore {
  let n = 0;
  return {
    ...store,
    list: (prefix) => store.list(prefix),
    async put(key, body, options) {
      await new Promise((resolve) => setTimeout(resolve, (n++ * 7) % 5));
      await store.put(key, body, options);
    },
  };
}

/** Small files, one upload at a time, retries after 1-2 ms: the failure tests' writer. */
const QUICK_RETRIES = {
  prefix: '',
  maxFileBytes: 100,
  maxBufferedBytes: 1_000,
  uploadConcurrency: 1,
  retryInitialMs: 1,
  retryMaxMs: 2,
};

it('cuts files by size and names them by their first line, however uploads are timed', async () => {
  const store = await fsCase.create();
  const w = writer(jitteryStore(store));
  for (const line of lines()) await w.add(line);
  const totals = await w.finish();
  const files = await snapshot(store);
  // 10 lines of 100 bytes fill a 1,000-byte file: a has 45 lines, b and c 22 or 23.
  expect([...files.keys()]).toEqual([
    'p/events/a/0000.ndjson.gz',
    'p/events/a/0020.ndjson.gz',
    'p/events/a/0040.ndjson.gz',
    'p/events/a/0060.ndjson.gz',
    'p/events/a/0080.ndjson.gz',
    'p/events/b/0001.ndjson.gz',
    'p/events/b/0041.ndjson.gz',
    'p/events/b/0081.ndjson.gz',
    'p/events/c/0003.ndjson.gz',
    'p/events/c/0043.ndjson.gz',
    'p/events/c/0083.ndjson.gz',
  ]);
  expect(totals).toMatchObject({ lines: 90, files: 11, bytesIn: 9_000, repeatsDropped: 0 });

  const again = await fsCase.create();
  const w2 = writer(again, { uploadConcurrency: 1 });
  for (const line of lines()) await w2.add(line);
  await w2.finish();
  expect(digests(await snapshot(again))).toEqual(digests(files));
});

it('cuts the largest partition first when all buffers pass the bound', async () => {
  const late: BulkLine = {
    partition: 'events/a/',
    id: 'late',
    body: encoder.encode('{}'),
    ordinal: 16,
  };
  async function write(maxBufferedBytes: number) {
    const store = await fsCase.create();
    const w = writer(store, { maxBufferedBytes });
    for (const line of [...lines().slice(0, 16), late]) await w.add(line);
    await w.finish();
    const files = await snapshot(store);
    return [...files].map(([key, gz]) => `${key}: ${linesOf(gz).length}`);
  }
  // After line 15, a holds 8 lines and b, c 4 each: 1,600 bytes, over the bound; a is cut.
  expect(await write(1_500)).toEqual([
    'p/events/a/0000.ndjson.gz: 8',
    'p/events/a/0016.ndjson.gz: 1',
    'p/events/b/0001.ndjson.gz: 4',
    'p/events/c/0003.ndjson.gz: 4',
  ]);
  expect(await write(1_700)).toEqual([
    'p/events/a/0000.ndjson.gz: 9',
    'p/events/b/0001.ndjson.gz: 4',
    'p/events/c/0003.ndjson.gz: 4',
  ]);
});

it('drops a repeated messageId inside one file', async () => {
  const store = await fsCase.create();
  const w = writer(store);
  const body = encoder.encode('{"same":true}');
  await w.add({ partition: 'events/a/', id: 'x', body, ordinal: 0 });
  await w.add({ partition: 'events/a/', id: 'x', body, ordinal: 1 });
  expect(await w.finish()).toMatchObject({ lines: 1, repeatsDropped: 1 });
  expect(linesOf((await snapshot(store)).get('p/events/a/0000.ndjson.gz') as Buffer)).toEqual([
    '{"same":true}',
  ]);
});

it('retries a failing store until it takes the file, and gives up only when aborted', async () => {
  const store = await fsCase.create();
  let failures = 2;
  const flaky: ObjectStore = {
    ...store,
    list: (prefix) => store.list(prefix),
    async put(key, body, options) {
      if (failures-- > 0) throw new Error('store is down');
      await store.put(key, body, options);
    },
  };
  const errors: string[] = [];
  const w = createBulkWriter({
    store: flaky,
    compress: gzipLevel6,
    fileName: String,
    options: QUICK_RETRIES,
    onError: (error, during) => errors.push(`${during}: ${(error as Error).message}`),
  });
  await w.add({ partition: 'events/a/', id: 'x', body: encoder.encode('{}'), ordinal: 7 });
  expect(await w.finish()).toMatchObject({ files: 1 });
  expect(errors).toEqual([
    'upload events/a/7.ndjson.gz: store is down',
    'upload events/a/7.ndjson.gz: store is down',
  ]);
  expect([...(await snapshot(store)).keys()]).toEqual(['events/a/7.ndjson.gz']);

  const abort = new AbortController();
  const down: ObjectStore = {
    ...store,
    list: (prefix) => store.list(prefix),
    put: () => Promise.reject(new Error('down')),
  };
  const stuck = createBulkWriter({
    store: down,
    compress: gzipLevel6,
    fileName: String,
    options: QUICK_RETRIES,
    onError: () => abort.abort(),
    signal: abort.signal,
  });
  await stuck.add({ partition: 'events/a/', id: 'x', body: encoder.encode('{}'), ordinal: 8 });
  await expect(stuck.finish()).rejects.toThrow('retry aborted');
});

it('uploads at most uploadConcurrency files at once, and reads on only when one has a slot', async () => {
  const store = await fsCase.create();
  let running = 0;
  let most = 0;
  const held: Array<() => void> = [];
  // Each put waits until the test lets it finish: the uploads in flight are the ones held.
  const gated: ObjectStore = {
    ...store,
    list: (prefix) => store.list(prefix),
    async put(key, body, options) {
      running++;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => held.push(resolve));
      await store.put(key, body, options);
      running--;
    },
  };
  const w = writer(gated, { uploadConcurrency: 2, maxFileBytes: 100 });
  // Every line fills a file: the third add cannot return before an upload is let go.
  const line = (n: number): BulkLine => ({
    partition: `events/p${n}/`,
    id: `m${n}`,
    body: encoder.encode(`{"n":${String(n).padStart(93, '0')}}`),
    ordinal: n,
  });
  await w.add(line(0));
  await w.add(line(1));
  let thirdReturned = false;
  const third = w.add(line(2)).then(() => {
    thirdReturned = true;
  });
  // Both uploads start (compression runs first, on the thread pool: wait for them, not a fixed time).
  while (held.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(held).toHaveLength(2);
  expect(thirdReturned).toBe(false);
  let settled = false;
  const finished = (async () => {
    await third;
    return w.finish();
  })().finally(() => {
    settled = true;
  });
  // Let the uploads go one at a time as they arrive, until finish() is done (it may start the
  // last upload only after the third add returned).
  while (!settled) {
    held.shift()?.();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  expect(await finished).toMatchObject({ files: 3 });
  expect(most).toBe(2);
});
