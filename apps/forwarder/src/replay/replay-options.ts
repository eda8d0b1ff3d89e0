import { z } from 'zod';
import {
  bulkFileShape,
  FILE_SIZE_FLOOR_ISSUE,
  fileSizeAboveFloor,
  parseOrExplain,
} from '../bulk/bulk-options.js';

const position = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const epochMs = z.number().int().min(-8.64e15).max(8.64e15);

/** What to replay and how to cut the files; one zod schema, its errors are the user's. */
export const replayOptionsSchema = z
  .strictObject({
    /** First queue position to replay. Default: the oldest the log still holds. */
    from: position.optional(),
    /** Position to stop before. Default: the end of the log when the replay starts. */
    to: position.optional(),
    /**
     * Keep only entries whose header time (ms since the epoch) is at or after this: the event
     * time, or for a quarantined entry its arrival (the time it is filed by).
     */
    since: epochMs.optional(),
    /** Keep only entries whose event time is before this. */
    until: epochMs.optional(),
    /** Entries per read from the log. Default 1000. */
    readBatchSize: z.number().int().min(1).max(100_000).default(1_000),
    ...bulkFileShape,
  })
  .refine(fileSizeAboveFloor, FILE_SIZE_FLOOR_ISSUE)
  .refine((o) => o.from === undefined || o.to === undefined || o.from <= o.to, {
    path: ['to'],
    message: 'must not be below from',
  })
  .refine((o) => o.since === undefined || o.until === undefined || o.since < o.until, {
    path: ['until'],
    message: 'must be after since',
  });

export type ReplayOptionsInput = z.input<typeof replayOptionsSchema>;
export type ReplayOptions = z.output<typeof replayOptionsSchema>;

/** Validates replay options and applies defaults; throws an Error listing every problem. */
export function parseReplayOptions(input: ReplayOptionsInput = {}): ReplayOptions {
  return parseOrExplain(replayOptionsSchema, input, 'replay options');
}
