import { DEFAULT_RETRY_INITIAL_MS, DEFAULT_RETRY_MAX_MS } from '@sluice/queue';
import { z } from 'zod';
import {
  FILE_SIZE_FLOOR_MESSAGE,
  fileBytesSchema,
  minFileBytesSchema,
} from '../file-size-option.js';

const MiB = 1024 * 1024;

/**
 * How replay and import cut and upload files. No age limit on purpose: a cut that follows
 * the wall clock would differ between two runs, so bulk files are cut by size alone.
 */
export const bulkFileShape = {
  /** Cut a partition's file before its uncompressed NDJSON would pass this size. Default 64 MiB. */
  maxFileBytes: fileBytesSchema,
  /** The smallest `maxFileBytes` accepted (1 MiB); lower it only for tests. */
  minFileBytes: minFileBytesSchema,
  /** Bound on all buffered bytes; above it the largest partition is cut early. Default 256 MiB. */
  maxBufferedBytes: z
    .number()
    .int()
    .positive()
    .max(64 * 1024 * MiB)
    .default(256 * MiB),
  /** Files compressed and uploaded at the same time. Default 4. */
  uploadConcurrency: z.number().int().min(1).max(64).default(4),
  /** First delay before retrying a failed upload; doubles on each failure. Default 200 ms. */
  retryInitialMs: z.number().int().min(1).max(60_000).default(DEFAULT_RETRY_INITIAL_MS),
  /** Longest delay between retries. Default 30 s. */
  retryMaxMs: z.number().int().min(1).max(600_000).default(DEFAULT_RETRY_MAX_MS),
  /**
   * Prepended to every key (`<prefix>events/source=…`). Empty or ending in `/`, never starting
   * with one.
   */
  prefix: z
    .string()
    .regex(/^(?:$|[^/].*\/$)/, 'must be empty or end with "/" (and not start with one)')
    .optional(),
};

/** Refines a schema built on `bulkFileShape`: the file size must respect the floor. */
export function fileSizeAboveFloor(options: { maxFileBytes: number; minFileBytes: number }) {
  return options.maxFileBytes >= options.minFileBytes;
}

export const FILE_SIZE_FLOOR_ISSUE = {
  path: ['maxFileBytes'],
  message: FILE_SIZE_FLOOR_MESSAGE,
};

/** The file settings shared by the bulk paths, defaults applied. */
export interface BulkFileOptions {
  maxFileBytes: number;
  maxBufferedBytes: number;
  uploadConcurrency: number;
  retryInitialMs: number;
  retryMaxMs: number;
}

/** Parses with `schema`, turning zod's issues into one Error a user can read. */
export function parseOrExplain<T extends z.ZodType>(
  schema: T,
  input: unknown,
  what: string,
): z.output<T> {
  const result = schema.safeParse(input);
  if (!result.success) throw new Error(`invalid ${what}:\n${z.prettifyError(result.error)}`);
  return result.data;
}
