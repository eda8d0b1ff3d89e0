import { createFsStore, createS3Store, type ObjectStore } from '@sluice/store';

/** Where a benchmark child writes files: a local directory or an S3 server, as plain JSON. */
export type StoreTarget =
  | { kind: 'fs'; root: string }
  | {
      kind: 's3';
      bucket: string;
      clientConfig: {
        endpoint: string;
        region: string;
        credentials: { accessKeyId: string; secretAccessKey: string };
        forcePathStyle: true;
      };
    };

/** Opens the store a target names. */
export function openStore(target: StoreTarget): ObjectStore {
  return target.kind === 'fs'
    ? createFsStore({ root: target.root })
    : createS3Store({ bucket: target.bucket, ...target.clientConfig });
}
