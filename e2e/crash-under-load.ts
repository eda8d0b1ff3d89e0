// The crash tests' run, shared so that every shape (one process on the embedded log, `--workers 2`,
// collectors and forwarders on NATS) is loaded, killed and checked the same way: the load of
// kill-schedule.ts with a kill at each moment and one more while the forwarders drain, then a
// wait until the store holds every acknowledged event.
import { createFsStore, type ObjectStore } from '@sluice/store';
import { expect } from 'vitest';
import { killsDuringLoad, sleep } from './kill-schedule.js';
import { eventFigures, recordFigures, secondsSince, testFile } from './reliability-figures.js';
import { writeCollectorConfig } from './reliability-process.js';
import {
  collectorConfig,
  compare,
  type LoadResult,
  storedCounts,
  waitUntil,
} from './scale-support.js';

/** Writes the crash tests' collector config (no per-IP limits: the load comes from one address). */
export function crashCollectorConfig(dir: string): Promise<string> {
  return writeCollectorConfig(dir, {
    ...collectorConfig,
    limits: { ipRate: null, ipEventRate: null, ipByteRate: null },
  });
}

export interface CrashRun {
  /** Distinct events to send, with ids `<idPrefix>-<n>`. */
  total: number;
  idPrefix: string;
  /** Where the collectors answer now (a restart may move them). */
  urls: () => readonly string[];
  /** The acknowledged counts at which to kill during the load (see `killMoments`). */
  moments: number[];
  /** The run's seeded random source: the pauses before each kill are drawn from it. */
  random: () => number;
  /** The longest pause before each kill, so that kills do not line up with batch boundaries. */
  killJitterMs: number;
  /** The longest pause after the load before the last kill, which lands while draining. */
  drainJitterMs: number;
  /** Kills and starts again what the shape kills; `acknowledged` is the load's count by then. */
  kill: (at: { acknowledged: number; draining: boolean }) => Promise<void>;
  /** The forwarders' store directory. */
  storeDir: string;
  /** How long the store may take to hold every acknowledged event after the last kill. */
  storedWithinMs: number;
}

/** Runs the load with its kills; resolves once the store holds every acknowledged event. */
export async function crashUnderLoad(
  run: CrashRun,
): Promise<{ load: LoadResult; store: ObjectStore }> {
  let draining = false;
  const killOnce = async () => {
    await sleep(Math.floor(run.random() * run.killJitterMs));
    await run.kill({ acknowledged: schedule.acknowledged, draining });
  };
  const schedule = killsDuringLoad(run.moments, killOnce);
  const load = await schedule.sendLoad({
    urls: run.urls,
    total: run.total,
    idPrefix: run.idPrefix,
  });
  await sleep(Math.floor(run.random() * run.drainJitterMs));
  draining = true;
  await killOnce();
  const store = createFsStore({ root: run.storeDir });
  await waitUntil(
    async () => compare(load.acked, await storedCounts(store)).lost === 0,
    run.storedWithinMs,
  );
  return { load, store };
}

/** What a crash run measured, for its figures. */
export interface CrashOutcome {
  /** `Date.now()` as the test began. */
  started: number;
  total: number;
  seed: number;
  load: LoadResult;
  /** What the store holds, by id, counted once nothing writes to it any more. */
  counts: ReadonlyMap<string, number>;
}

export interface CrashFigures {
  title: string;
  /** The test module's `import.meta.url`. */
  testUrl: string;
  /** What the load went through and how it was killed, to follow "… concurrent senders". */
  through: string;
  /** The shape's own counts (its kills); the load's resends are added. */
  details: Record<string, string | number | boolean>;
}

/** Records a crash test's figures and returns how the acknowledged events fared in the store. */
export async function recordCrash(
  id: string,
  outcome: CrashOutcome,
  figures: CrashFigures,
): Promise<ReturnType<typeof compare>> {
  const { load, total } = outcome;
  const result = compare(load.acked, outcome.counts);
  await recordFigures(id, {
    title: figures.title,
    file: testFile(figures.testUrl),
    what:
      `${total.toLocaleString('en')} events in batches of 50 from 4 concurrent senders through ` +
      `${figures.through}; failed batches resent with the same messageIds.`,
    events: eventFigures(total, result),
    details: {
      ...figures.details,
      'batches resent after a failure': load.retriedBatches,
      'batches given up': load.abandonedBatches,
      seed: outcome.seed,
    },
    seconds: secondsSince(outcome.started),
  });
  return result;
}

/** The crash tests' promise: every event sent was acknowledged, and is stored exactly once. */
export function expectStoredOnce(result: ReturnType<typeof compare>, total: number): void {
  expect(result.lost).toBe(0);
  expect(result.duplicated).toBe(0);
  expect(result.acked).toBe(total);
}
