// What the maintenance commands (compaction, erasure) share: the store options (a local
// directory or an S3-compatible bucket, credentials from the AWS SDK's usual sources), usage
// errors, and where output goes.

import type { ParseArgsConfig } from 'node:util';
import { createFsStore, createS3Store, type ObjectStore } from '@sluice/store';

export const STORE_ARGS = {
  dir: { type: 'string' },
  's3-bucket': { type: 'string' },
  's3-endpoint': { type: 'string' },
  's3-region': { type: 'string' },
  's3-prefix': { type: 'string' },
  's3-path-style': { type: 'boolean' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export const STORE_USAGE = `store (one of):
  --dir <path>              a local directory (the forwarder's fs store)
  --s3-bucket <name>        an S3-compatible bucket; also --s3-endpoint <url>, --s3-region <r>,
                            --s3-prefix <p>, --s3-path-style; credentials from the AWS SDK's
                            usual sources (environment, shared files, instance role)`;

/** The store the arguments name; throws a usage error when they name none or two. */
export function storeFromArgs(values: {
  dir?: string;
  's3-bucket'?: string;
  's3-endpoint'?: string;
  's3-region'?: string;
  's3-prefix'?: string;
  's3-path-style'?: boolean;
}): ObjectStore {
  if (values.dir !== undefined && values['s3-bucket'] !== undefined) {
    throw new UsageError('give --dir or --s3-bucket, not both');
  }
  if (values.dir !== undefined) return createFsStore({ root: values.dir });
  const bucket = values['s3-bucket'];
  if (bucket === undefined) throw new UsageError('give --dir or --s3-bucket');
  return createS3Store({
    bucket,
    prefix: values['s3-prefix'],
    endpoint: values['s3-endpoint'],
    region: values['s3-region'] ?? 'us-east-1',
    forcePathStyle: values['s3-path-style'] ?? false,
  });
}

/** A mistake in the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A whole non-negative number from an argument, or a usage error naming the option. */
export function numberArg(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) {
    throw new UsageError(`--${option} must be a non-negative number, not ${JSON.stringify(value)}`);
  }
  return number;
}

/** Where a command writes: results to `out`, progress and errors to `err`. */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  now?: () => number;
}

/** node:util parseArgs throws TypeErrors with an ERR_PARSE_ARGS_* code for unknown options. */
export function isUsageError(error: unknown): error is Error {
  return (
    error instanceof UsageError ||
    String((error as { code?: unknown })?.code ?? '').startsWith('ERR_PARSE_ARGS')
  );
}
