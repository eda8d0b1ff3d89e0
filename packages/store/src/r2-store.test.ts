// The R2 store against real R2 semantics: miniflare 4 runs workerd with a local R2 bucket
// (no account, no network), and `getR2Bucket` hands the test the same binding a Worker gets.
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bytes, collect, describeObjectStoreContract } from './object-store.contract.js';
import { createR2Store, type R2BucketLike } from './r2-store.js';

// One bucket per store the contract opens, so each starts empty without a slow clean-up.
const BUCKETS = Array.from({ length: 16 }, (_, i) => `BUCKET_${i}`);
let mf: Miniflare;
let opened = 0;

beforeAll(async () => {
  mf = new Miniflare({
    modules: true,
    script: 'export default { fetch() { return new Response(null, { status: 404 }); } };',
    r2Buckets: BUCKETS,
    // In memory: nothing persists between runs.
    r2Persist: false,
  });
  await mf.ready;
});
afterAll(async () => {
  await mf?.dispose();
});

async function openBucket(): Promise<R2BucketLike> {
  const name = BUCKETS[opened++];
  if (name === undefined) throw new Error('add buckets to BUCKETS: the tests use more');
  // miniflare's proxy types mirror workers-types but are declared apart.
  return (await mf.getR2Bucket(name)) as unknown as R2BucketLike;
}

// Local R2 takes ~5-10 ms a put, so instead of the contract's 1,001 keys (past R2's default
// page of 1,000), pagination is checked below with small pages: the same cursor loop.
describeObjectStoreContract('r2 store', async () => createR2Store(await openBucket()), {
  keysPastOnePage: false,
});

it('lists every key under a prefix across many pages, in order, following R2’s cursor', async () => {
  const bucket = await openBucket();
  const keys = Array.from({ length: 45 }, (_, i) => `many/${String(i).padStart(3, '0')}`);
  const store = createR2Store(bucket, { listPageSize: 7 });
  await Promise.all([...keys, 'man', 'more/after'].map((key) => store.put(key, bytes(3))));
  const listed = await collect(store.list('many/'));
  expect(listed.map((info) => info.key)).toEqual(keys);
  expect(listed.every((info) => info.size === 3)).toBe(true);
  // The default page size (1,000) gives the same answer in one page.
  expect(await collect(createR2Store(bucket).list('many/'))).toEqual(listed);
});

it('stores the content type and encoding it is given as the object’s HTTP metadata', async () => {
  const bucket = await openBucket();
  const key = 'events/source=web/dt=2026-01-01/hh=05/abc.ndjson.gz';
  await createR2Store(bucket).put(key, bytes(10), { contentType: 'application/gzip' });
  const object = await bucket.get(key);
  expect(object?.httpMetadata?.contentType).toBe('application/gzip');
  expect(new Uint8Array((await object?.arrayBuffer()) ?? new ArrayBuffer(0))).toEqual(bytes(10));
});
