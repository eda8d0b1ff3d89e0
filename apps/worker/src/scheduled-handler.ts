// The Cron Trigger (wrangler.toml `[triggers]`): visits each partition object that has a
// marker (partition-marker.ts). A visit is cheap for a healthy object (a few SQLite reads); it
// cuts lines whose alarm was lost, and lets at most SLUICE_COMPACTIONS_PER_RUN objects of
// closed partitions compact their small files, so one run stays within a Worker's limits
// (subrequests, CPU, memory: one partition's outputs at a time in each object). The rest
// stay marked and are compacted by the next runs; every step is safe to repeat.
import { z } from 'zod';
import type { WorkerEnv } from './env.js';
import { listMarkedPartitions } from './partition-marker.js';
import { partitionFilesOf } from './queue-handler.js';

/** Partitions visited per run at most: each visit is a subrequest. */
export const MAX_VISITS_PER_RUN = 1_000;
/** How long after its hour a partition may still get late events: compacted after that. */
export const COMPACT_GRACE_MS = 2 * 3_600_000;
const DEFAULT_COMPACTIONS_PER_RUN = 4;

const compactionsPerRun = z.coerce
  .number()
  .int()
  .min(0)
  .max(100)
  .default(DEFAULT_COMPACTIONS_PER_RUN);

/** What one run did (logged). */
export interface ScheduledRun {
  visited: number;
  swept: string[];
  compacted: string[];
  failed: string[];
}

export async function handleScheduled(env: WorkerEnv): Promise<ScheduledRun> {
  let budget = compactionsPerRun.parse(env.SLUICE_COMPACTIONS_PER_RUN);
  const run: ScheduledRun = { visited: 0, swept: [], compacted: [], failed: [] };
  for (const partition of await listMarkedPartitions(env.EVENTS_BUCKET, MAX_VISITS_PER_RUN)) {
    run.visited += 1;
    try {
      const report = await partitionFilesOf(env.PARTITION_FILES, partition).sweep({
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
  console.log(`sluice: scheduled run ${JSON.stringify(run)}`);
  return run;
}
