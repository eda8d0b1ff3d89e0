// The figures of the reliability suite. Each test reports what it did (load, faults, inputs)
// and what came out (events lost and duplicated); `pnpm reliability` runs the suite with
// SLUICE_RELIABILITY_FIGURES set, so the figures land in one JSON file that renders
// RELIABILITY.md, and the document cannot drift from what ran. Plain `pnpm test` records
// nothing.

import { readFile, writeFile } from 'node:fs/promises';

/** `pnpm reliability --soak`: longer loads, more faults, more fuzzing runs. */
export const SOAK = process.env.SLUICE_RELIABILITY_SOAK === '1';

/** The CI figure, or the soak one. */
export function scaled(ci: number, soak: number): number {
  return SOAK ? soak : ci;
}

/** Seed of the run's random choices (kill moments, fuzz inputs), printed and recorded. */
export const SEED = Number(process.env.SLUICE_RELIABILITY_SEED ?? Date.now() % 2 ** 31);

export { seededRandom } from '@sluice/testkit/random';

/** Where an event went, counted by messageId against what the collector acknowledged. */
export interface EventFigures {
  /** Distinct events the load generator sent (each with its own messageId). */
  sent: number;
  /** Distinct events the collector answered 200 for. */
  acknowledged: number;
  /** Lines in the store (copies included). */
  stored: number;
  /** Acknowledged, not stored. Must be 0. */
  lost: number;
  /** Extra copies in the store. Must be 0. */
  duplicated: number;
}

/** The event figures of a load of `sent` events, from the counts `compare` returns. */
export function eventFigures(
  sent: number,
  counts: { acked: number; stored: number; lost: number; duplicated: number },
): EventFigures {
  return {
    sent,
    acknowledged: counts.acked,
    stored: counts.stored,
    lost: counts.lost,
    duplicated: counts.duplicated,
  };
}

export interface InputFigures {
  /** Requests or connections made with generated or crafted input. */
  tried: number;
  /** Answers of 500 or more. Must be 0. */
  serverErrors: number;
  /** Times the process died or stopped answering /healthz. Must be 0. */
  crashes: number;
}

export interface TestFigures {
  title: string;
  /** The test file, relative to the repository (`testFile(import.meta.url)`). */
  file: string;
  /** The load held and the faults injected, in a sentence or two. */
  what: string;
  events?: EventFigures;
  inputs?: InputFigures;
  /** Further counts worth reading (retries, 503s seen, recovery time, ...). */
  details: Record<string, string | number | boolean>;
  seconds: number;
}

export interface FiguresFile {
  mode: 'ci' | 'soak';
  seed: number;
  node: string;
  /** Set by the report command once the whole suite passed. */
  finishedAt?: string;
  cpus?: number;
  suiteSeconds?: number;
  tests: Record<string, TestFigures>;
}

/** `e2e/<name>` for a test module's `import.meta.url`. */
export function testFile(url: string): string {
  return `e2e/${url.slice(url.lastIndexOf('/') + 1)}`;
}

/**
 * Adds one test's figures to the file named by SLUICE_RELIABILITY_FIGURES (no-op without it)
 * and prints them. Call it before the assertions, so a failing run still shows its numbers.
 */
export async function recordFigures(id: string, figures: TestFigures): Promise<void> {
  console.log(`[reliability] ${id}:`, JSON.stringify(figures));
  const path = process.env.SLUICE_RELIABILITY_FIGURES;
  if (!path) return;
  let file: FiguresFile;
  try {
    file = JSON.parse(await readFile(path, 'utf8')) as FiguresFile;
  } catch {
    file = { mode: SOAK ? 'soak' : 'ci', seed: SEED, node: process.version, tests: {} };
  }
  file.tests[id] = figures;
  await writeFile(path, `${JSON.stringify(file, null, 2)}\n`);
}

/** Seconds since `startMs`, one decimal. */
export function secondsSince(startMs: number): number {
  return Math.round((Date.now() - startMs) / 100) / 10;
}
