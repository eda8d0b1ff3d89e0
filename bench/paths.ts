import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** bench/ */
export const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
/** The repository root. */
export const REPO_DIR = join(BENCH_DIR, '..');
/** Bundled servers and wrk's event templates (gitignored). */
export const BUILD_DIR = join(BENCH_DIR, '.build');
/** CPU profiles of a `--cpu-prof` run and their summaries (gitignored). */
export const PROFILE_DIR = join(BENCH_DIR, 'profiles');
