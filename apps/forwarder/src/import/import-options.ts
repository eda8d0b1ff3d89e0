import { SOURCE_ID_PATTERN } from '@sluice/schema';
import { z } from 'zod';
import {
  bulkFileShape,
  FILE_SIZE_FLOOR_ISSUE,
  fileSizeAboveFloor,
  parseOrExplain,
} from '../bulk/bulk-options.js';

/** Where imported events go and how files are cut; one zod schema, its errors are the user's. */
export const importOptionsSchema = z
  .strictObject({
    /** The source the events are filed under, as the collector would file them. */
    source: z
      .string()
      .regex(
        SOURCE_ID_PATTERN,
        'must be a slug: lower-case letters, digits, "-" or "_", at most 64',
      ),
    /** Records read between two progress reports. Default 10 000. */
    progressEvery: z.number().int().min(1).default(10_000),
    ...bulkFileShape,
  })
  .refine(fileSizeAboveFloor, FILE_SIZE_FLOOR_ISSUE);

export type ImportOptionsInput = z.input<typeof importOptionsSchema>;
export type ImportOptions = z.output<typeof importOptionsSchema>;

/** Validates import options and applies defaults; throws an Error listing every problem. */
export function parseImportOptions(input: ImportOptionsInput): ImportOptions {
  return parseOrExplain(importOptionsSchema, input, 'import options');
}
