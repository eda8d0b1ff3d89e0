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

/** Puts counted and timed: checkpoints apart from the rest (the data files). */
export interface PutCounts {
  checkpointPuts: number;
  checkpointPutMs: number;
  otherPuts: number;
  otherPutMs: number;
}

/** `store` with its puts counted and timed, checkpoint keys (`isCheckpoint`) apart. */
export function countingPuts(
  store: ObjectStore,
  isCheckpoint: (key: string) => boolean,
): { store: ObjectStore; counts: PutCounts } {
  const counts: PutCounts = { checkpointPuts: 0, checkpointPutMs: 0, otherPuts: 0, otherPutMs: 0 };
  const counted: ObjectStore = {
    get: (key) => store.get(key),
    list: (prefix) => store.list(prefix),
    delete: (key) => store.delete(key),
    put: async (key, body, options) => {
      const began = performance.now();
      await store.put(key, body, options);
      const ms = performance.now() - began;
      if (isCheckpoint(key)) {
        counts.checkpointPuts++;
        counts.checkpointPutMs += ms;
      } else {
        counts.otherPuts++;
        counts.otherPutMs += ms;
      }
    },
  };
  return { store: counted, counts };
}
