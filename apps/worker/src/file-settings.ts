import { z } from 'zod';

const MiB = 1024 * 1024;

/**
 * A Durable Object holds a whole file in memory while it compresses and uploads it, and an
 * isolate has 128 MB: 16 MiB of NDJSON (about 1 MB of gzip at the ratio measured here) leaves
 * room for the bodies, the joined file and its gzip. The Node forwarder's 64 MiB does not fit.
 */
export const DEFAULT_WORKER_FILE_BYTES = 16 * MiB;
export const MAX_WORKER_FILE_BYTES = 32 * MiB;
/**
 * Parquet parses every event and builds the file's columns in memory: measured in Node, a
 * 16 MiB cut took ~5 s of CPU and ~90 MiB of heap, 4 MiB ~1.5 s and ~30 MiB, beside a 128 MB
 * isolate and a Durable Object's 30 s of CPU per call. Files (and compaction's outputs) are
 * cut at most this big with Parquet, and this is its default.
 */
export const MAX_PARQUET_FILE_BYTES = 4 * MiB;
/** The Node forwarder's age rotation (Snowplow's 2 minutes). */
export const DEFAULT_WORKER_FILE_AGE_SECONDS = 120;
/**
 * How long a stored messageId is remembered: Cloudflare retries a failed message up to
 * `max_retries` times with backoff, and clients resend within minutes; a day covers both.
 */
export const DEFAULT_DEDUP_WINDOW_SECONDS = 24 * 3600;

const seconds = (fallback: number, max: number) =>
  z.coerce.number().int().min(1).max(max).default(fallback);

/** The formats a Worker writes events in (worker-formats.ts); quarantine is always gzip NDJSON. */
export const WORKER_FORMATS = ['ndjson-gzip', 'parquet'] as const;
export type WorkerFormatName = (typeof WORKER_FORMATS)[number];

const fileSettingsSchema = z.object({
  /** What the events' files are: gzip NDJSON (the default, read by everything) or Parquet. */
  SLUICE_FORMAT: z.enum(WORKER_FORMATS).default('ndjson-gzip'),
  /** Cut a partition's file when its uncompressed NDJSON would pass this many bytes. */
  SLUICE_FILE_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .max(MAX_WORKER_FILE_BYTES)
    .optional(),
  /** Cut it when its oldest line has waited this long, whatever its size. */
  SLUICE_FILE_AGE_SECONDS: seconds(DEFAULT_WORKER_FILE_AGE_SECONDS, 24 * 3600),
  /** Drop a repeated messageId this long after its first copy was stored. */
  SLUICE_DEDUP_WINDOW_SECONDS: seconds(DEFAULT_DEDUP_WINDOW_SECONDS, 7 * 24 * 3600),
});

/** How partition files are cut on Workers, in the units the code uses. */
export interface FileSettings {
  format: WorkerFormatName;
  fileBytes: number;
  fileAgeMs: number;
  dedupWindowMs: number;
  /** Why `fileBytes` is not what SLUICE_FILE_BYTES says (logged by whoever uses it). */
  clamped?: string;
}

/**
 * Reads the settings from the Worker's vars (wrangler.toml `[vars]`); throws with what is wrong.
 * SLUICE_FILE_BYTES above MAX_PARQUET_FILE_BYTES with Parquet is clamped, not refused: only the
 * Durable Objects read these settings, so a refusal would fail every queue batch into the
 * dead-letter queue, while the clamped size keeps the files flowing (and wrangler.toml's
 * 16 MiB, right for gzip NDJSON, would be refused as soon as SLUICE_FORMAT alone changed).
 */
export function parseFileSettings(vars: Record<string, unknown>): FileSettings {
  const parsed = fileSettingsSchema.parse({
    SLUICE_FORMAT: vars.SLUICE_FORMAT,
    SLUICE_FILE_BYTES: vars.SLUICE_FILE_BYTES,
    SLUICE_FILE_AGE_SECONDS: vars.SLUICE_FILE_AGE_SECONDS,
    SLUICE_DEDUP_WINDOW_SECONDS: vars.SLUICE_DEDUP_WINDOW_SECONDS,
  });
  const format = parsed.SLUICE_FORMAT;
  const max = format === 'parquet' ? MAX_PARQUET_FILE_BYTES : MAX_WORKER_FILE_BYTES;
  const asked = parsed.SLUICE_FILE_BYTES;
  const fileBytes = Math.min(asked ?? DEFAULT_WORKER_FILE_BYTES, max);
  return {
    format,
    fileBytes,
    ...(asked !== undefined && asked > fileBytes
      ? {
          clamped: `SLUICE_FILE_BYTES=${asked} is above ${max}, the most a Parquet cut takes in a Worker's memory and CPU (file-settings.ts): files are cut at ${max} bytes`,
        }
      : {}),
    fileAgeMs: parsed.SLUICE_FILE_AGE_SECONDS * 1000,
    dedupWindowMs: parsed.SLUICE_DEDUP_WINDOW_SECONDS * 1000,
  };
}

/** A format name as stored with a cut; anything else (none) is gzip NDJSON. */
export function parseWorkerFormat(name: string): WorkerFormatName {
  return (WORKER_FORMATS as readonly string[]).includes(name)
    ? (name as WorkerFormatName)
    : 'ndjson-gzip';
}
