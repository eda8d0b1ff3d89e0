// The one install of the packed packages: scripts/pack-install.sh, which the packaging test
// runs and the container image (deploy/Dockerfile) runs too, so the two cannot drift.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './cli-process.js';

/** The script's path from the repository root, as the Dockerfile names it. */
export const PACK_INSTALL_SCRIPT = 'scripts/pack-install.sh';

/** Packs and installs sluice into `dest`; returns the installed `sluice` command. */
export async function packInstall(dest: string): Promise<string> {
  await promisify(execFile)('bash', [join(REPO_ROOT, PACK_INSTALL_SCRIPT), dest], {
    cwd: REPO_ROOT,
  });
  return join(dest, 'node_modules/.bin/sluice');
}
