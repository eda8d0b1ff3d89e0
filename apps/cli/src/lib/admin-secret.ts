// The admin secret `sluice start` uses when the config has no `admin` section: made once and
// kept in the data directory (readable by its owner only), so a restart keeps it.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { adminSecretProblem } from '@sluice/collector';

/** A new admin secret: `adm_` and 43 base64url characters (256 bits). */
export function generateAdminSecret(): string {
  return `adm_${randomBytes(32).toString('base64url')}`;
}

/** The secret kept in `<dataDir>/admin-secret`, made on first use. */
export async function adminSecretIn(
  dataDir: string,
  dirMode = 0o700,
): Promise<{ secret: string; file: string }> {
  const file = join(dataDir, 'admin-secret');
  try {
    const secret = (await readFile(file, 'utf8')).trim();
    if (secret !== '') {
      // Someone may have written a secret of their own there: a short one is guessed.
      const problem = adminSecretProblem(secret);
      if (problem) throw new Error(`${file}: ${problem}, or delete the file to get a new one`);
      return { secret, file };
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = generateAdminSecret();
  await mkdir(dataDir, { recursive: true, mode: dirMode });
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return { secret, file };
}
