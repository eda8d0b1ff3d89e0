import { DATA_ROOTS } from '@sluice/layout';
import { z } from 'zod';
import {
  compactedFileBytesSchema,
  FILE_SIZE_FLOOR_MESSAGE,
  minFileBytesSchema,
} from '../file-size-option.js';

export { DEFAULT_COMPACTED_FILE_BYTES } from '../file-size-option.js';

const HOUR_MS = 3_600_000;

/** Compaction's settings, one zod schema: its parse errors are the user's messages. */
export const compactionOptionsSchema = z
  .strictObject({
    /**
     * Outputs hold up to this many bytes of NDJSON; files of at least half of it are left alone.
     * Same bounds as the forwarder's `maxFileBytes` (`minFileBytes`–1 GiB), default 256 MiB:
     * four of the forwarder's full 64 MiB files, or many of its 2-minute ones, make one.
     */
    targetFileBytes: compactedFileBytesSchema,
    /** The smallest `targetFileBytes` accepted: 1 MiB; lower it only for tests. */
    minFileBytes: minFileBytesSchema,
    /**
     * How long after its event-time hour (its day, for quarantine) a partition may still get
     * late events; it is compacted only after that. Default 2 h.
     */
    graceMs: z
      .number()
      .int()
      .nonnegative()
      .max(30 * 24 * HOUR_MS)
      .default(2 * HOUR_MS),
    /**
     * The forwarder's queue consumer has acknowledged every position below this one (its
     * committed position), in log partition 0 (the only one without `--workers`). Lets compaction take each partition's newest forwarder file, which
     * it otherwise leaves alone unless the forwarder's checkpoint shows it is final.
     */
    acknowledgedBelow: z.number().int().nonnegative().optional(),
    /**
     * `acknowledgedBelow` of the other log partitions of `--workers N` (key: the partition's
     * number, >= 1): each counts its own positions, so one number cannot speak for them all.
     */
    logPartitionsAcknowledgedBelow: z
      .record(z.string().regex(/^[1-9]\d*$/), z.number().int().nonnegative())
      .optional(),
    /** Where partitions are looked for. Default `events/` and `quarantine/`. */
    prefixes: z
      .array(z.string())
      .min(1)
      .default([...DATA_ROOTS]),
  })
  .refine((options) => options.targetFileBytes >= options.minFileBytes, {
    path: ['targetFileBytes'],
    message: FILE_SIZE_FLOOR_MESSAGE,
  });

export type CompactionOptionsInput = z.input<typeof compactionOptionsSchema>;
export type CompactionOptions = z.output<typeof compactionOptionsSchema>;

/** Validates options and applies defaults; throws an Error listing every problem. */
export function parseCompactionOptions(input: CompactionOptionsInput = {}): CompactionOptions {
  const result = compactionOptionsSchema.safeParse(input);
  if (!result.success) {
    throw new Error(`invalid compaction options:\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}
