// The zod schema of the admin section: who may open the live event view. Like secret keys,
// the config holds only the secret's hash, so a leaked config file does not open the view.
import { z } from 'zod';
import { ADMIN_SECRET_HASH } from './admin-secret-hash.js';

/** Live views open at once unless `admin.maxViewers` says otherwise. */
export const DEFAULT_MAX_VIEWERS = 10;

export const adminSchema = z
  .strictObject({
    secretHash: z
      .string({ message: 'secretHash must be a string' })
      .regex(
        ADMIN_SECRET_HASH,
        'the admin secret is stored as its hash: "sha256:<64 hex>" for a generated secret (`sluice keys create --admin`) or "scrypt:ln=..,r=..,p=..:<salt>:<key>" for one you chose (`pnpm --filter @sluice/collector hash-secret --admin`, secret on stdin)',
      )
      .describe(
        'Hash of the admin secret that opens the live event view at `/live`: `sha256:<hex>` of a generated one (`sluice keys create --admin`) or `scrypt:...` of one you chose (`hash-secret --admin`).',
      ),
    maxViewers: z
      .int({ message: 'maxViewers must be a whole number' })
      .min(1, 'maxViewers must be at least 1')
      .max(100, 'maxViewers must be at most 100')
      .default(DEFAULT_MAX_VIEWERS)
      .describe('Most live views open at once; more are refused with 503.'),
  })
  .optional()
  .describe('The live event view (Node). Without this section there is no `/live`.');

export type AdminConfig = z.output<typeof adminSchema>;
