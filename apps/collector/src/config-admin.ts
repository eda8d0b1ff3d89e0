// The zod schema of the admin section: who may open the live event view. Like secret keys,
// the config holds only the secret's hash, so a leaked config file does not open the view.
import { z } from 'zod';

const SECRET_HASH = /^sha256:[0-9a-f]{64}$/;

export const adminSchema = z
  .strictObject({
    secretHash: z
      .string({ message: 'secretHash must be a string' })
      .regex(
        SECRET_HASH,
        'the admin secret is stored as its hash: "sha256:" and 64 lower-case hex digits (make a secret and its hash with `sluice keys create --admin`)',
      )
      .describe(
        'Hash (`sha256:<hex>`) of the admin secret that opens the live event view at `/live` (`sluice keys create --admin`).',
      ),
    maxViewers: z
      .int({ message: 'maxViewers must be a whole number' })
      .min(1, 'maxViewers must be at least 1')
      .max(100, 'maxViewers must be at most 100')
      .default(10)
      .describe('Most live views open at once; more are refused with 503.'),
  })
  .optional()
  .describe('The live event view (Node). Without this section there is no `/live`.');

export type AdminConfig = z.output<typeof adminSchema>;
