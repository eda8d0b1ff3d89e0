// The flags shared by the bulk commands (how they write, the target store, --help), and the
// store they name (a Node entry helper).

import { resolve } from 'node:path';
import { createFsStore, createS3Store, type ObjectStore } from '@sluice/store';

/** `parseArgs` options for choosing the target store. */
export const STORE_FLAGS = {
  'store-dir': { type: 'string' },
  's3-bucket': { type: 'string' },
  's3-endpoint': { type: 'string' },
  's3-region': { type: 'string' },
  's3-path-style': { type: 'boolean' },
} as const;

export const STORE_USAGE = `target store (default: --store-dir data/store):
  --store-dir DIR        a local directory, the same keys as a bucket
  --s3-bucket NAME       an S3-compatible bucket; credentials from the usual AWS variables
  --s3-endpoint URL      for R2, MinIO, ... (default: AWS)
  --s3-region REGION     default: $AWS_REGION or us-east-1
  --s3-path-style        path-style URLs (MinIO, s3rver)`;

/**
 * `parseArgs` options every bulk command takes besides its own: how it writes, the target store,
 * and `--help`.
 */
export const BULK_FLAGS = {
  prefix: { type: 'string' },
  'max-file-mb': { type: 'string' },
  concurrency: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...STORE_FLAGS,
} as const;

/** The usage lines of `BULK_FLAGS` but `--prefix`, whose default each command states itself. */
export const BULK_USAGE = `  --max-file-mb N        cut files at N MiB of NDJSON (default 64, at least 1)
  --concurrency N        uploads at the same time (default 4)
${STORE_USAGE}`;

export interface StoreFlagValues {
  'store-dir'?: string;
  's3-bucket'?: string;
  's3-endpoint'?: string;
  's3-region'?: string;
  's3-path-style'?: boolean;
}

/** The store the flags name, and a short description of it for messages. */
export function storeFromFlags(values: StoreFlagValues): { store: ObjectStore; where: string } {
  const bucket = values['s3-bucket'];
  if (bucket !== undefined) {
    if (values['store-dir'] !== undefined)
      throw new Error('give --store-dir or --s3-bucket, not both');
    const store = createS3Store({
      bucket,
      endpoint: values['s3-endpoint'],
      region: values['s3-region'] ?? process.env.AWS_REGION ?? 'us-east-1',
      forcePathStyle: values['s3-path-style'] ?? false,
    });
    return { store, where: `s3://${bucket}/` };
  }
  const root = resolve(values['store-dir'] ?? 'data/store');
  return { store: createFsStore({ root }), where: `${root}/` };
}
