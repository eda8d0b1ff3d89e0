import { runPnpm } from './tracker-build.js';

/**
 * Runs `pnpm bench:size` (the tracker's own size report, which writes its own section of
 * BENCHMARKS.md). Resolves with a problem to report instead of failing the whole run.
 */
export async function runTagSizeSuite(): Promise<string | undefined> {
  const code = await runPnpm(['bench:size']);
  return code === 0
    ? undefined
    : `\`pnpm bench:size\` failed (exit ${code}); tag sizes not updated`;
}
