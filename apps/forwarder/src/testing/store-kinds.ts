// The real stores the forwarder's tests run against, shared by the bulk and compaction tests
// (kept out of the published files).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsStore, createS3Store, type ObjectStore } from '@sluice/store';
import { type S3Server, startS3Server } from '@sluice/testkit/s3';
import { afterAll } from 'vitest';

/** A real store kind the tests run against: a temp directory, or s3rver over HTTP. */
export interface StoreKind {
  name: 'fs' | 's3';
  /** A fresh, empty store: a new directory, or a new key prefix in the bucket. */
  create(): Promise<ObjectStore>;
  close(): Promise<void>;
}

/** Both store kinds; call `close` of each in `afterAll`. The S3 server starts on first use. */
export function storeKinds(): StoreKind[] {
  const dirs: string[] = [];
  let s3: Promise<S3Server> | undefined;
  let stores = 0;
  return [
    {
      name: 'fs',
      async create() {
        const root = await mkdtemp(join(tmpdir(), 'sluice-store-'));
        dirs.push(root);
        return createFsStore({ root });
      },
      async close() {
        await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
      },
    },
    {
      name: 's3',
      async create() {
        s3 ??= startS3Server();
        const server = await s3;
        // One server for the test file; each store keeps its keys under a prefix of its own.
        return createS3Store({
          bucket: server.bucket,
          prefix: `store-${++stores}`,
          ...server.clientConfig,
        });
      },
      async close() {
        if (s3) await (await s3).close();
      },
    },
  ];
}

/** Both store kinds for the tests of one file, closed in that file's `afterAll`. */
export function storeKindsClosedAfterAll(): StoreKind[] {
  const kinds = storeKinds();
  afterAll(async () => {
    for (const kind of kinds) await kind.close();
  });
  return kinds;
}
