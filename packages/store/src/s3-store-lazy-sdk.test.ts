// The AWS SDK is loaded on an S3 store's first request, not when @sluice/store is imported:
// a process that writes to a local directory (`sluice start`'s default) never loads it.
// A child process, because vitest's own loader already holds the SDK for the other tests.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

it('loads the AWS SDK on an S3 store’s first request, not on import or creation', async () => {
  const require = createRequire(import.meta.url);
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  const index = pathToFileURL(join(import.meta.dirname, 'index.ts')).href;
  const code = `
    import { registerHooks } from 'node:module';
    const loaded = new Set();
    registerHooks({
      resolve(specifier, context, next) {
        if (specifier.startsWith('@aws-sdk/')) loaded.add(specifier);
        return next(specifier, context);
      },
    });
    const { createFsStore, createS3Store } = await import(${JSON.stringify(index)});
    createFsStore({ root: '/tmp' });
    const store = createS3Store({
      bucket: 'b',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      maxAttempts: 1,
    });
    const before = [...loaded];
    const failed = await store.get('k').then(() => 'no error', (error) => error.name);
    console.log(JSON.stringify({ before, after: [...loaded].sort(), failed }));`;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', tsx, '--input-type=module', '-e', code],
    { timeout: 60_000 },
  );
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
    before: string[];
    after: string[];
    failed: string;
  };
  expect(result.before).toEqual([]);
  expect(result.after).toEqual(
    expect.arrayContaining(['@aws-sdk/client-s3', '@aws-sdk/lib-storage']),
  );
  // Nothing listens on port 9: the request was really made, with the SDK loaded.
  expect(result.failed).not.toBe('no error');
});
