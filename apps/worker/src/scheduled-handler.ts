// The Cron Trigger (wrangler.toml `[triggers]`): visits each partition object that has a
// marker (partition-marker.ts). A visit is cheap for a healthy object (a few SQLite reads); it
// cuts lines whose alarm was lost, and lets at most SLUICE_COMPACTIONS_PER_RUN objects of
// closed partitions compact their small files, so one run stays within a Worker's limits
// (subrequests, CPU, memory: one partition's outputs at a time in each object). The rest
// stay marked and are compacted by the next runs; every step is safe to repeat. A run visits
// at most SLUICE_VISITS_PER_RUN markers, starting after the last one the previous run visited
// (kept in a small state object beside the markers), so every marker gets its turn however
// many there are. Before the visits, a step of the one-time scan (partition-scan.ts) marks the
// partitions written before markers existed.
import type { R2Bucket } from '@cloudflare/workers-types';
import { z } from 'zod';
import type { WorkerEnv } from './env.js';
import { listMarkedPartitions } from './partition-marker.js';
import { type ScanState, scanPartitionFolders } from './partition-scan.js';
import { partitionFilesOf } from './queue-handler.js';

/** The subrequests one Worker invocation may make (Workers Paid): visits, lists, puts. */
const SUBREQUESTS_PER_RUN = 1_000;
/** The state's get and put, and the markers' list calls (two: a round may wrap). */
const RUN_OVERHEAD = 4;
/** Partitions visited per run at most (each visit is a subrequest), and the default. */
export const MAX_VISITS_PER_RUN = SUBREQUESTS_PER_RUN - RUN_OVERHEAD;
/** Where a run leaves what the next one needs: the last marker visited, the scan's place. */
export const SCHEDULED_STATE_KEY = '_sluice/scheduled-state.json';
/** How long after its hour a partition may still get late events: compacted after that. */
export const COMPACT_GRACE_MS = 2 * 3_600_000;
const DEFAULT_COMPACTIONS_PER_RUN = 4;

const compactionsPerRun = z.coerce
  .number()
  .int()
  .min(0)
  .max(100)
  .default(DEFAULT_COMPACTIONS_PER_RUN);

const visitsPerRun = z.coerce
  .number()
  .int()
  .min(1)
  .max(MAX_VISITS_PER_RUN)
  .default(MAX_VISITS_PER_RUN);

const scheduledState = z.object({
  markersAfter: z.string().optional(),
  scan: z.object({ after: z.string().optional(), done: z.boolean().optional() }).default({}),
});
type ScheduledState = z.infer<typeof scheduledState>;

/** The saved state; a missing or unreadable one starts over (every step is safe to repeat). */
async function readState(bucket: R2Bucket): Promise<ScheduledState> {
  const object = await bucket.get(SCHEDULED_STATE_KEY);
  const parsed = scheduledState.safeParse(object ? await object.json().catch(() => null) : {});
  return parsed.success ? parsed.data : { scan: {} };
}

/** What one run did (logged). */
export interface ScheduledRun {
  visited: number;
  /** Partitions the scan gave a marker this run. */
  scanned: number;
  swept: string[];
  compacted: string[];
  failed: string[];
}

export async function handleScheduled(env: WorkerEnv): Promise<ScheduledRun> {
  let budget = compactionsPerRun.parse(env.SLUICE_COMPACTIONS_PER_RUN);
  const visits = visitsPerRun.parse(env.SLUICE_VISITS_PER_RUN);
  const bucket = env.EVENTS_BUCKET;
  const state = await readState(bucket);
  const run: ScheduledRun = { visited: 0, scanned: 0, swept: [], compacted: [], failed: [] };
  let scan: ScanState = state.scan;
  let spent = 0;
  if (!scan.done) {
    const step = await scanPartitionFolders(bucket, scan);
    scan = step.state;
    run.scanned = step.marked.length;
    spent = step.subrequests;
  }
  const { partitions, last } = await listMarkedPartitions(
    bucket,
    Math.min(visits, MAX_VISITS_PER_RUN - spent),
    state.markersAfter,
  );
  for (const partition of partitions) {
    run.visited += 1;
    try {
      const report = await partitionFilesOf(env.PARTITION_FILES, partition).sweep(partition, {
        mayCompact: budget > 0,
        graceMs: COMPACT_GRACE_MS,
      });
      if (report.swept) run.swept.push(partition);
      if (report.compacted) {
        budget -= 1;
        run.compacted.push(partition);
      }
    } catch (error) {
      // A failed compaction counts against the budget too: it may have done most of the work.
      budget -= 1;
      run.failed.push(partition);
      console.error(`sluice: the visit of ${partition} failed; the next run retries`, error);
    }
  }
  const next: ScheduledState = { ...(last === undefined ? {} : { markersAfter: last }), scan };
  if (JSON.stringify(next) !== JSON.stringify(state)) {
    await bucket.put(SCHEDULED_STATE_KEY, JSON.stringify(next), {
      httpMetadata: { contentType: 'application/json' },
    });
  }
  console.log(`sluice: scheduled run ${JSON.stringify(run)}`);
  return run;
}
