// The AWS SDK is loaded on an S3 store's first request, not when @sluice/store is imported:
// a process that writes to a local directory (`sluice start`'s default) never loads it.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runWatchingPackages } from '@sluice/testkit/modules';
import { expect, it } from 'vitest';

it('loads the AWS SDK on an S3 store’s first request, not on import or creation', async () => {
  const index = pathToFileURL(join(import.meta.dirname, 'index.ts')).href;
  const result = (await runWatchingPackages(`
    const { createFsStore, createS3Store } = await import(${JSON.stringify(index)});
    createFsStore({ root: '/tmp' });
    const store = createS3Store({
      bucket: 'b',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      maxAttempts: 1,
    });
    const before = loadedPackages();
    const failed = await store.get('k').then(() => 'no error', (error) => error.name);
    console.log(JSON.stringify({ before, after: loadedPackages(), failed }));
  `)) as { before: string[]; after: string[]; failed: string };
  expect(result.before.filter((name) => name.startsWith('@aws-sdk/'))).toEqual([]);
  expect(result.after).toEqual(
    expect.arrayContaining(['@aws-sdk/client-s3', '@aws-sdk/lib-storage']),
  );
  // Nothing listens on port 9: the request was really made, with the SDK loaded.
  expect(result.failed).not.toBe('no error');
});
