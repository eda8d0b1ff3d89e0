import {
  CreateBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { type S3Server, startS3Server } from '@sluice/testkit/s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytes, collect, describeObjectStoreContract } from './object-store.contract.js';
import { createS3Store } from './s3-store.js';

let s3: S3Server;
let client: S3Client;
let buckets = 0;
let prefixes = 0;

beforeAll(async () => {
  s3 = await startS3Server();
  client = new S3Client(s3.clientConfig);
});
afterAll(async () => {
  client?.destroy();
  await s3?.close();
});

// s3rver walks its directories and lists a folder's keys before "a-b" or "a.b"; real S3
// orders all keys by bytes. Hive-style keys never mix the two at one level.
const s3rverDeviation = { byteOrderAcrossFolders: false };

// Every test gets its own prefix in the shared bucket, which holds the other tests' keys.
describeObjectStoreContract(
  's3 store with a prefix',
  () => createS3Store({ bucket: s3.bucket, client, prefix: `tenant-${prefixes++}` }),
  s3rverDeviation,
);

// Every body goes through lib-storage's Upload (bodies under one part take its single-PUT
// path; the multipart one is tested below). s3rver spends ~2 ms of CPU per PUT, so the
// 1,001-key listing runs once, above.
describeObjectStoreContract(
  's3 store with a bucket of its own and a 1-byte multipart threshold',
  async () => {
    const bucket = `bucket-${buckets++}`;
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    return createS3Store({ bucket, ...s3.clientConfig, multipartThreshold: 1 });
  },
  { ...s3rverDeviation, keysPastOnePage: false },
);

describe('s3 store', () => {
  it('keeps keys below its prefix, apart from a prefix that merely starts the same', async () => {
    const one = createS3Store({ bucket: s3.bucket, client, prefix: 'apart-1' });
    const ten = createS3Store({ bucket: s3.bucket, client, prefix: 'apart-10/' });
    await one.put('k', bytes(1));
    await ten.put('k', bytes(2));

    const raw = await client.send(
      new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'apart-' }),
    );
    expect(raw.Contents?.map((object) => object.Key)).toEqual(['apart-1/k', 'apart-10/k']);
    expect(await collect(one.list(''))).toEqual([{ key: 'k', size: 1 }]);
    expect(await one.get('k')).toEqual(bytes(1));
    expect(await ten.get('k')).toEqual(bytes(2));
  });

  it('uploads a body above the threshold in parts and gets it back whole', async () => {
    const recorded = recordingClient();
    const store = createS3Store({
      bucket: s3.bucket,
      client: recorded.client,
      multipartThreshold: 1024 * 1024,
      partSize: 5 * 1024 * 1024,
    });
    const body = bytes(11 * 1024 * 1024 + 17);
    await store.put('big/file.ndjson.gz', body, {
      contentType: 'application/x-ndjson',
      contentEncoding: 'gzip',
    });

    expect(recorded.commands).toEqual([
      'CreateMultipartUploadCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'CompleteMultipartUploadCommand',
    ]);
    expect(Buffer.from((await store.get('big/file.ndjson.gz'))!).equals(body)).toBe(true);
    expect(await collect(store.list('big/'))).toEqual([
      { key: 'big/file.ndjson.gz', size: body.length },
    ]);
    const head = await client.send(
      new HeadObjectCommand({ Bucket: s3.bucket, Key: 'big/file.ndjson.gz' }),
    );
    expect([head.ContentType, head.ContentEncoding]).toEqual(['application/x-ndjson', 'gzip']);
    recorded.client.destroy();
  });

  it('puts a body below the threshold in one request with its content type and encoding', async () => {
    const recorded = recordingClient();
    const store = createS3Store({ bucket: s3.bucket, client: recorded.client });
    await store.put('small/file.ndjson.gz', bytes(100), {
      contentType: 'application/x-ndjson',
      contentEncoding: 'gzip',
    });

    expect(recorded.commands).toEqual(['PutObjectCommand']);
    const head = await client.send(
      new HeadObjectCommand({ Bucket: s3.bucket, Key: 'small/file.ndjson.gz' }),
    );
    expect([head.ContentType, head.ContentEncoding]).toEqual(['application/x-ndjson', 'gzip']);
    recorded.client.destroy();
  });

  it('fails on a missing bucket instead of answering "no such object"', async () => {
    const store = createS3Store({ bucket: 'no-such-bucket', client });
    await expect(store.get('any')).rejects.toThrow(/bucket/i);
  });
});

/** A real client that notes the name of every command it sends. */
function recordingClient(): { client: S3Client; commands: string[] } {
  const commands: string[] = [];
  const recorded = new S3Client(s3.clientConfig);
  recorded.middlewareStack.add(
    (next, context) => (args) => {
      commands.push(context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'initialize', name: 'recordCommandNames' },
  );
  return { client: recorded, commands };
}
