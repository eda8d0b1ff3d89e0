import { FILE_FORMAT_NAMES } from '@sluice/layout';
import { DEFAULT_RETRY_INITIAL_MS, DEFAULT_RETRY_MAX_MS } from '@sluice/queue';
import { z } from 'zod';
import { MAX_LIVE_SLOTS } from './dedup/fingerprint-table.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const HOUR_MS = 3_600_000;

/** Object stores work best with files of about 1 MB to 1 GB (ARCHITECTURE.md). */
export const DEFAULT_MIN_FILE_BYTES = 1 * MiB;
export const MAX_FILE_BYTES = 1 * GiB;
/** Files are cut (or compacted) at 64 MiB of uncompressed NDJSON unless set otherwise. */
export const DEFAULT_FILE_BYTES = 64 * MiB;
/** A partition's file is cut once its oldest line is 2 minutes old (Snowplow's S3 loader). */
export const DEFAULT_FILE_AGE_MS = 120_000;

/**
 * The forwarder's settings, one zod schema: its parse errors are the user's messages.
 * Defaults follow Snowplow's S3 loader (64 MiB or 2 minutes per file).
 */
export const forwarderOptionsSchema = z
  .strictObject({
    /** Rotate a partition's file when its uncompressed NDJSON reaches this size. `minFileBytes`–1 GiB; default 64 MiB. */
    maxFileBytes: z.number().int().positive().max(MAX_FILE_BYTES).default(DEFAULT_FILE_BYTES),
    /**
     * The smallest `maxFileBytes` accepted: 1 MiB, because smaller files make every later query
     * slow. Lower it (down to 1) only for tests and low-latency setups that accept small files.
     */
    minFileBytes: z.number().int().positive().max(MAX_FILE_BYTES).default(DEFAULT_MIN_FILE_BYTES),
    /** Rotate a partition's file when its oldest line was buffered this long ago (wall clock). Default 120 s. */
    maxFileAgeMs: z
      .number()
      .int()
      .positive()
      .max(24 * 3_600_000)
      .default(DEFAULT_FILE_AGE_MS),
    /** Bound on all buffered bytes; above it the largest partition is flushed early. Default 256 MiB. */
    maxBufferedBytes: z
      .number()
      .int()
      .positive()
      .max(64 * GiB)
      .default(256 * MiB),
    /** Most queue entries taken in one read. Default 1000. */
    readBatchSize: z.number().int().min(1).max(100_000).default(1_000),
    /** How long one read waits for entries; also how late an age rotation or a stop may be. Default 1000 ms. */
    readWaitMs: z.number().int().min(1).max(60_000).default(1_000),
    /** Partitions uploaded at the same time when several are flushed together. Default 4. */
    uploadConcurrency: z.number().int().min(1).max(64).default(4),
    /** First delay before retrying a failed store or queue call; doubles on each failure. Default 200 ms. */
    retryInitialMs: z.number().int().min(1).max(60_000).default(DEFAULT_RETRY_INITIAL_MS),
    /** Longest delay between retries. Default 30 s. */
    retryMaxMs: z.number().int().min(1).max(600_000).default(DEFAULT_RETRY_MAX_MS),
    /**
     * What files hold: `ndjson-gzip` (default, `.ndjson.gz`), `ndjson-zstd` (`.ndjson.zst`) or
     * `parquet` (`.parquet`, declared columns; parses every body, so it is the slowest).
     */
    format: z.enum(FILE_FORMAT_NAMES).default('ndjson-gzip'),
    /**
     * How long a stored messageId is remembered to drop later copies, counted from the upload of
     * the file holding it. 0 drops only copies that meet while buffered. Default 24 h.
     */
    dedupWindowMs: z
      .number()
      .int()
      .min(0)
      .max(30 * 24 * HOUR_MS)
      .default(24 * HOUR_MS),
    /** Stored ids expire one slot of this length at a time (the window lasts up to one slot longer). Default 1 h. */
    dedupSlotMs: z
      .number()
      .int()
      .min(1_000)
      .max(24 * HOUR_MS)
      .default(HOUR_MS),
    /**
     * Most memory for the window's filter of stored ids (about 5.2 bytes an id: 32 MiB hold
     * 6.4 M ids, 24 h at 74 events/s; 256 MiB hold 51 M, 24 h at 590 events/s). It starts at
     * 1 MiB (200,000 ids) and doubles as stored ids come, so it takes what the window holds.
     * When full at this size, the oldest slot is forgotten early (counted in
     * `stats().dedup.evictedSlots`), so at higher rates the window is shorter unless this is
     * raised. Default 32 MiB.
     */
    dedupMemoryBytes: z
      .number()
      .int()
      .min(64 * KiB)
      .max(64 * GiB)
      .default(32 * MiB),
  })
  .refine((options) => options.maxFileBytes >= options.minFileBytes, {
    path: ['maxFileBytes'],
    message: 'must be at least minFileBytes (1 MiB unless lowered): small files slow every query',
  })
  .refine((options) => options.dedupWindowMs / options.dedupSlotMs < MAX_LIVE_SLOTS, {
    path: ['dedupSlotMs'],
    message: `must be more than dedupWindowMs / ${MAX_LIVE_SLOTS}`,
  });

/** Options as a user writes them: every field optional. */
export type ForwarderOptionsInput = z.input<typeof forwarderOptionsSchema>;
/** Options with defaults applied. */
export type ForwarderOptions = z.output<typeof forwarderOptionsSchema>;

/** Validates options and applies defaults; throws an Error whose message lists every problem. */
export function parseForwarderOptions(input: ForwarderOptionsInput = {}): ForwarderOptions {
  const result = forwarderOptionsSchema.safeParse(input);
  if (!result.success) {
    throw new Error(`invalid forwarder options:\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}
