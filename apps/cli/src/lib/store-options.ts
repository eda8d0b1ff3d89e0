// Where files go: a local directory, or an S3-compatible bucket. One set of options for every
// command that reads or writes the store.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createIcebergTable, type IcebergTable } from '@sluice/forwarder';
import { createFsStore, createS3Store, type ObjectStore } from '@sluice/store';
import { type Command, Option } from 'commander';
import { fileModes, sharedReadOption } from './file-modes.js';

export interface StoreOptions {
  storeDir?: string;
  s3Bucket?: string;
  s3Endpoint?: string;
  s3Region?: string;
  s3Prefix?: string;
  s3PathStyle?: boolean;
  sharedRead?: boolean;
}

/** Adds the store options; `fallbackDir` is the directory used when no bucket is named. */
export function addStoreOptions(command: Command, fallbackDir = 'data/store'): Command {
  return command
    .addOption(
      new Option('--store-dir <dir>', `a local directory (default: ${fallbackDir})`).env(
        'SLUICE_STORE_DIR',
      ),
    )
    .addOption(
      new Option(
        '--s3-bucket <name>',
        'an S3-compatible bucket instead; credentials from the usual AWS variables',
      ).env('SLUICE_S3_BUCKET'),
    )
    .addOption(
      new Option('--s3-endpoint <url>', 'for R2, MinIO, ... (default: AWS)').env(
        'SLUICE_S3_ENDPOINT',
      ),
    )
    .addOption(new Option('--s3-region <region>', 'default: us-east-1').env('AWS_REGION'))
    .addOption(new Option('--s3-prefix <prefix>', 'keys below this prefix in the bucket'))
    .addOption(
      new Option('--s3-path-style', 'path-style URLs (MinIO, s3rver; on with --s3-endpoint)'),
    )
    .addOption(sharedReadOption());
}

/** The store the options name, where that is (for messages), and its URL (`location`). */
export function openStore(
  options: StoreOptions,
  fallbackDir = 'data/store',
): { store: ObjectStore; where: string; dir?: string; location: string } {
  if (options.s3Bucket !== undefined) {
    if (options.storeDir !== undefined)
      throw new Error('give --store-dir or --s3-bucket, not both');
    const store = createS3Store({
      bucket: options.s3Bucket,
      prefix: options.s3Prefix,
      endpoint: options.s3Endpoint,
      region: options.s3Region ?? 'us-east-1',
      forcePathStyle: options.s3PathStyle ?? options.s3Endpoint !== undefined,
    });
    const prefix = (options.s3Prefix ?? '').replace(/\/+$/, '');
    return {
      store,
      where: `s3://${options.s3Bucket}/${options.s3Prefix ?? ''}`,
      location: `s3://${options.s3Bucket}${prefix ? `/${prefix}` : ''}`,
    };
  }
  const dir = resolve(options.storeDir ?? fallbackDir);
  const store = createFsStore({ root: dir, ...fileModes(options.sharedRead) });
  return { store, where: `${dir}/`, dir, location: pathToFileURL(dir).href };
}

/**
 * The table `--table` names over the opened store, or undefined. One per process: it
 * serializes the commits of every forwarder (and compaction) that shares it.
 */
export function openTable(
  table: string | undefined,
  opened: { store: ObjectStore; location: string },
): IcebergTable | undefined {
  return table === 'iceberg' ? createIcebergTable(opened) : undefined;
}
