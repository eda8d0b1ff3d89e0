import type { PutObjectCommandInput, S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import type { ObjectStore } from './object-store.js';

// The SDK is loaded on a store's first request, not with this module: importing it costs
// ~145 ms of CPU and ~37 MB of RSS on Node 26 (BENCHMARKS.md, issue 18), which every
// process that imports @sluice/store paid, also those writing to a local directory.
type Sdk = [typeof import('@aws-sdk/client-s3'), typeof import('@aws-sdk/lib-storage')];
let sdk: Promise<Sdk> | undefined;
function loadSdk(): Promise<Sdk> {
  sdk ??= Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/lib-storage')]);
  return sdk;
}

/** Bodies at least this big go up as a multipart upload. */
export const DEFAULT_MULTIPART_THRESHOLD = 16 * 1024 * 1024;
/** Size of each part of a multipart upload; S3 wants at least 5 MiB for all but the last. */
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;

/**
 * Where and how to store objects in an S3-compatible bucket. Pass an `S3Client` as
 * `client`, or the client's config (`endpoint`, `region`, `credentials`,
 * `forcePathStyle`, `maxAttempts`, ...) inline; with neither, the SDK's defaults apply
 * (environment, shared config files, instance roles).
 */
export interface S3StoreOptions extends S3ClientConfig {
  bucket: string;
  /** Keys live below this prefix; a missing trailing `/` is added ("tenant-a" -> "tenant-a/"). */
  prefix?: string;
  /** An existing client to use; the inline client config is then ignored. */
  client?: S3Client;
  /** Bodies of at least this many bytes use a multipart upload. Default 16 MiB. */
  multipartThreshold?: number;
  /** Part size for multipart uploads, at least 5 MiB. Default 8 MiB. */
  partSize?: number;
}

/**
 * An object store on an S3-compatible bucket (S3, R2, MinIO, GCS interop). Failed
 * requests are retried with backoff by the SDK itself (`maxAttempts`, default 3).
 */
export function createS3Store(options: S3StoreOptions): ObjectStore {
  const {
    bucket,
    prefix,
    client: givenClient,
    multipartThreshold = DEFAULT_MULTIPART_THRESHOLD,
    partSize = DEFAULT_PART_SIZE,
    ...clientConfig
  } = options;
  let connection: Promise<{ s3: Sdk[0]; storage: Sdk[1]; client: S3Client }> | undefined;
  // The SDK and the client, made on the first request (the module comment).
  const connect = () => {
    connection ??= loadSdk().then(([s3, storage]) => ({
      s3,
      storage,
      client: givenClient ?? new s3.S3Client(clientConfig),
    }));
    return connection;
  };
  const base = prefix && !prefix.endsWith('/') ? `${prefix}/` : (prefix ?? '');

  return {
    async put(key, body, putOptions) {
      const { s3, storage, client } = await connect();
      const params: PutObjectCommandInput = {
        Bucket: bucket,
        Key: base + key,
        Body: body,
        ContentType: putOptions?.contentType,
        ContentEncoding: putOptions?.contentEncoding,
      };
      if (body.byteLength < multipartThreshold) {
        await client.send(new s3.PutObjectCommand(params));
        return;
      }
      // Big files go up in parts, each retried on its own, instead of one long request
      // that must start over; a failed upload is aborted so no parts are left billed.
      await new storage.Upload({ client, params, partSize }).done();
    },

    async get(key) {
      const { s3, client } = await connect();
      try {
        const response = await client.send(
          new s3.GetObjectCommand({ Bucket: bucket, Key: base + key }),
        );
        return (await response.Body?.transformToByteArray()) ?? new Uint8Array();
      } catch (error) {
        if (isMissingKey(error, s3.NoSuchKey)) return undefined;
        throw error;
      }
    },

    async *list(listPrefix) {
      const { s3, client } = await connect();
      const pages = s3.paginateListObjectsV2(
        { client },
        { Bucket: bucket, Prefix: base + listPrefix },
      );
      for await (const page of pages) {
        for (const object of page.Contents ?? []) {
          if (object.Key === undefined) continue;
          yield { key: object.Key.slice(base.length), size: object.Size ?? 0 };
        }
      }
    },

    async delete(key) {
      // S3 answers 204 for a missing key too, so deleting twice is fine.
      const { s3, client } = await connect();
      await client.send(new s3.DeleteObjectCommand({ Bucket: bucket, Key: base + key }));
    },
  };
}

/** A missing key, but not a missing bucket: that is a configuration error and must surface. */
function isMissingKey(error: unknown, noSuchKey: Sdk[0]['NoSuchKey']): boolean {
  if (error instanceof noSuchKey) return true;
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  // Some S3-compatible servers answer a bare 404 without the NoSuchKey code.
  return name === 'NoSuchKey' || ($metadata?.httpStatusCode === 404 && name !== 'NoSuchBucket');
}
