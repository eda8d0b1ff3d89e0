// Runtime-free (Web APIs only): the Worker bundle imports it as `@sluice/store/r2`.
import type { R2Bucket } from '@cloudflare/workers-types';
import type { ObjectStore } from './object-store.js';

/** The R2 calls the store makes; a Worker's `R2Bucket` binding has them all. */
export type R2BucketLike = Pick<R2Bucket, 'put' | 'get' | 'list' | 'delete'>;

export interface R2StoreOptions {
  /** Keys per list call, 1 to 1,000 (R2's maximum and default). */
  listPageSize?: number;
}

/**
 * An object store on a Cloudflare R2 bucket binding (inside a Worker, or miniflare's
 * `getR2Bucket` in tests). A put is atomic in R2: readers see the old object or the new one.
 * For R2 from outside a Worker, use `createS3Store` with R2's S3 endpoint.
 */
export function createR2Store(bucket: R2BucketLike, options: R2StoreOptions = {}): ObjectStore {
  const limit = options.listPageSize ?? 1_000;
  return {
    async put(key, body, putOptions) {
      await bucket.put(key, body, {
        httpMetadata: {
          contentType: putOptions?.contentType,
          contentEncoding: putOptions?.contentEncoding,
        },
      });
    },

    async get(key) {
      const object = await bucket.get(key);
      if (object === null) return undefined;
      return new Uint8Array(await object.arrayBuffer());
    },

    async *list(prefix) {
      // R2 lists in UTF-8 byte order of keys, a page at a time; the cursor picks up the rest.
      let cursor: string | undefined;
      do {
        const page = await bucket.list(
          cursor === undefined ? { prefix, limit } : { prefix, limit, cursor },
        );
        for (const object of page.objects) yield { key: object.key, size: object.size };
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor !== undefined);
    },

    async delete(key) {
      await bucket.delete(key);
    },
  };
}
