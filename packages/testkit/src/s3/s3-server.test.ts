import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  GetObjectCommand,
  HeadBucketCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type S3Server, startS3Server } from './s3-server.js';

let s3: S3Server;

beforeAll(async () => {
  s3 = await startS3Server({ bucket: 'outage' });
});
afterAll(async () => {
  await s3?.close();
});

it('serves S3 over HTTP on 127.0.0.1 with the bucket already created', async () => {
  expect(s3.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const client = new S3Client(s3.clientConfig);
  const head = await client.send(new HeadBucketCommand({ Bucket: 'outage' }));
  expect(head.$metadata.httpStatusCode).toBe(200);
  client.destroy();
});

it('refuses requests while stopped and comes back on the same endpoint with its data', async () => {
  const store = objects(s3);
  await store.put('before/outage', new Uint8Array([1, 2, 3]));
  const endpoint = s3.endpoint;
  const pid = s3.pid!;

  await s3.stop();
  expect(s3.pid).toBeUndefined();
  expect(isAlive(pid)).toBe(false);
  await expect(store.put('during/outage', new Uint8Array([4]))).rejects.toThrow();

  await s3.start();
  expect(s3.endpoint).toBe(endpoint);
  expect(await store.get('before/outage')).toEqual(new Uint8Array([1, 2, 3]));
  await store.put('after/outage', new Uint8Array([5]));
  expect(await store.get('after/outage')).toEqual(new Uint8Array([5]));
});

it('comes back after being killed, with what was written before', async () => {
  const store = objects(s3);
  await store.put('before/crash', new Uint8Array([9]));
  const pid = s3.pid!;

  s3.kill();
  await s3.start();
  expect(isAlive(pid)).toBe(false);
  expect(s3.pid).not.toBe(pid);
  expect(await store.get('before/crash')).toEqual(new Uint8Array([9]));
});

it('leaves no server behind when the test process dies, and sweeps its data later', async () => {
  // A process that starts a server, reports it, and waits to be killed without notice.
  const require = createRequire(import.meta.url);
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  const helper = pathToFileURL(join(import.meta.dirname, 's3-server.ts')).href;
  const code = `
    import { startS3Server } from ${JSON.stringify(helper)};
    const s3 = await startS3Server();
    console.log(JSON.stringify({ pid: s3.pid, directory: s3.directory }));
    setInterval(() => {}, 1000);`;
  const owner = spawn(process.execPath, ['--import', tsx, '--input-type=module', '-e', code], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const started: { pid: number; directory: string } = JSON.parse(
    await new Promise<string>((resolve) => owner.stdout.once('data', (line) => resolve(`${line}`))),
  );
  expect(isAlive(started.pid)).toBe(true);

  owner.kill('SIGKILL');
  await waitFor(() => !isAlive(started.pid));

  const next = await startS3Server();
  expect(existsSync(started.directory)).toBe(false);
  await next.close();
  expect(existsSync(next.directory)).toBe(false);
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** put and get over plain S3 calls, one attempt each (the testkit does not use @sluice/store). */
function objects(server: S3Server) {
  const client = new S3Client({ ...server.clientConfig, maxAttempts: 1 });
  const Bucket = server.bucket;
  return {
    async put(Key: string, Body: Uint8Array) {
      await client.send(new PutObjectCommand({ Bucket, Key, Body }));
    },
    async get(Key: string) {
      const answer = await client.send(new GetObjectCommand({ Bucket, Key }));
      return new Uint8Array(await answer.Body!.transformToByteArray());
    },
  };
}
