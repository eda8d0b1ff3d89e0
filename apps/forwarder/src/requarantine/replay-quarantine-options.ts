import { SOURCE_ID_PATTERN } from '@sluice/schema';
import { z } from 'zod';
import {
  bulkFileShape,
  FILE_SIZE_FLOOR_ISSUE,
  fileSizeAboveFloor,
  parseOrExplain,
} from '../bulk/bulk-options.js';

const day = z.string().regex(/^\d{4}-\d\d-\d\d$/, 'must be a day, YYYY-MM-DD');

/** Which quarantine files `replayQuarantine` reads and how it writes; errors are the user's. */
export const replayQuarantineOptionsSchema = z
  .strictObject({
    /** The sources whose quarantine is read; default every source found in `quarantine/`. */
    sources: z
      .array(
        z
          .string()
          .regex(
            SOURCE_ID_PATTERN,
            'must be a slug: lower-case letters, digits, "-" or "_", at most 64',
          ),
      )
      .min(1)
      .optional(),
    /** The first quarantine day (`dt=`) read, inclusive. */
    sinceDay: day.optional(),
    /** The day the read stops before (exclusive). */
    untilDay: day.optional(),
    /** Records read between two progress reports. Default 10 000. */
    progressEvery: z.number().int().min(1).default(10_000),
    /** Still-refused records listed in the result (with their reasons). Default 10. */
    listInvalid: z.number().int().min(0).max(1000).default(10),
    ...bulkFileShape,
  })
  .refine(fileSizeAboveFloor, FILE_SIZE_FLOOR_ISSUE);

export type ReplayQuarantineOptionsInput = z.input<typeof replayQuarantineOptionsSchema>;
export type ReplayQuarantineOptions = z.output<typeof replayQuarantineOptionsSchema>;

/** Validates the options and applies defaults; throws an Error listing every problem. */
export function parseReplayQuarantineOptions(
  input: ReplayQuarantineOptionsInput,
): ReplayQuarantineOptions {
  return parseOrExplain(replayQuarantineOptionsSchema, input, 'quarantine replay options');
}
