// The one-time scan that gives a marker to partitions written before markers existed: by
// PartitionFiles objects of an older release (they put a marker only on their next change,
// i.e. when the partition gets events again) or by the Worker before Durable Objects (a file
// per queue batch, no object at all). Durable Objects cannot be listed, so the bucket's own
// folders say which partitions exist: the scan walks the Worker's prefixes in key order and
// puts a marker for each partition folder that holds a data file; the Cron Trigger's visits
// then do the rest (PartitionFiles.sweep adopts a partition it did not know). A marker put
// for a partition that has one already is harmless: the visit deletes what is not wanted.
//
// It runs a bounded step per Cron run (list calls and puts are subrequests) and resumes
// after the last key it looked at (`startAfter`, not R2's cursor: a key stays valid across
// runs); once it has walked every prefix it is done for good, as every partition written
// since has markers of its own.
import type { R2Bucket } from '@cloudflare/workers-types';
import { isDataKey, partitionEndOf, splitKey } from '@sluice/layout';
import { putMarker } from './partition-marker.js';

/** The Worker's own prefixes (events and quarantine), in key order. */
export const SCANNED_PREFIXES = ['events/', 'quarantine/'] as const;

/** Where the scan is: after which key it goes on, or done. */
export interface ScanState {
  after?: string;
  done?: boolean;
}

export interface ScanLimits {
  /** List calls per run. */
  lists: number;
  /** Markers put per run. */
  markers: number;
  /** Keys per list call (R2's maximum is 1,000; tests pass fewer). */
  pageSize: number;
}

export const SCAN_LIMITS: ScanLimits = { lists: 10, markers: 100, pageSize: 1_000 };

/**
 * The first key after every key below `folder` (ending in `/`): `/` is 0x2F and `0` is 0x30,
 * so `…hh=10/anything` < `…hh=100` <= every later folder's keys.
 */
export function afterFolder(folder: string): string {
  return `${folder.slice(0, -1)}0`;
}

export interface ScanStep {
  /** The state to save. */
  state: ScanState;
  /** The partitions given a marker. */
  marked: string[];
  /** List calls and puts made. */
  subrequests: number;
}

/** One step of the scan from `state`, at most `limits` of work. */
export async function scanPartitionFolders(
  bucket: R2Bucket,
  state: ScanState,
  limits: ScanLimits = SCAN_LIMITS,
  now = Date.now(),
): Promise<ScanStep> {
  const marked: string[] = [];
  let lists = 0;
  const step = (next: ScanState): ScanStep => ({
    state: next,
    marked,
    subrequests: lists + marked.length,
  });
  if (state.done) return step(state);
  let after = state.after;
  for (const prefix of SCANNED_PREFIXES) {
    if (after !== undefined && after >= afterFolder(prefix)) continue;
    let startAfter = after !== undefined && after > prefix ? after : undefined;
    for (let truncated = true; truncated; ) {
      if (lists === limits.lists) return step({ after: startAfter ?? prefix });
      lists += 1;
      const page = await bucket.list({
        prefix,
        limit: limits.pageSize,
        ...(startAfter === undefined ? {} : { startAfter }),
      });
      for (const { key } of page.objects) {
        // Keys of a folder marked in this page are skipped.
        if (startAfter !== undefined && key <= startAfter) continue;
        const { folder } = splitKey(key);
        if (isDataKey(key) && partitionEndOf(folder) !== undefined) {
          if (marked.length === limits.markers) return step({ after: startAfter ?? prefix });
          await putMarker(bucket, folder, now);
          marked.push(folder);
          startAfter = afterFolder(folder);
        } else {
          startAfter = key;
        }
      }
      truncated = page.truncated && page.objects.length > 0;
    }
    after = afterFolder(prefix);
  }
  return step({ done: true });
}
