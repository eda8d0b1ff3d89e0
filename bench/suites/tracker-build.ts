import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_DIR } from '../paths.js';

/** The built script tag the end-to-end run serves. */
export const TAG_SCRIPT_PATH = join(REPO_DIR, 'packages/tracker/dist/sluice.js');

/** Runs a pnpm script in the repository; resolves with its exit code. */
export async function runPnpm(args: readonly string[]): Promise<number | null> {
  const child = spawn('pnpm', args, { cwd: REPO_DIR, stdio: 'inherit' });
  return new Promise((resolve) => {
    child.once('error', () => resolve(-1));
    child.once('close', resolve);
  });
}

/**
 * Builds the tag. A failed build with an earlier one still in dist/ is a warning (returned),
 * not the end of the run; with none, the end-to-end run cannot go on.
 */
export async function buildTag(): Promise<string | undefined> {
  const code = await runPnpm(['--filter', '@sluice/tracker', 'build']);
  if (code === 0) return undefined;
  if (!existsSync(TAG_SCRIPT_PATH)) throw new Error(`the tag did not build (exit ${code})`);
  return `the tag did not build (exit ${code}); the end-to-end run used the earlier build in dist/`;
}
