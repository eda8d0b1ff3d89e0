// The browser tag the collector serves at /s.js: the built IIFE of @sluice/tracker.
import { readFile } from 'node:fs/promises';

/** The tag's source, or undefined when it has not been built (`pnpm --filter @sluice/tracker build`). */
export async function readTagScript(): Promise<string | undefined> {
  try {
    return await readFile(new URL(import.meta.resolve('@sluice/tracker/sluice.js')), 'utf8');
  } catch {
    return undefined;
  }
}
