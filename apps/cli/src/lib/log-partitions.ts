// The partitions of the embedded log for `--workers N`: partition 0 is the log the URL names
// (a single-worker run's, unchanged), partition i is `<dir>/w<i>` with the same query.
// Each is a log of its own: its own lock, segments and consumers.
//
// Every command that reads or rewrites a data directory finds its partitions the same way
// (`findLogPartitions`: partition 0 and every `w<i>` directory that holds a log), so a run with
// fewer workers than the last one still forwards, erases and verifies what the others wrote.
//
// The disk budget is the data directory's, not a partition's: `maxBytes` and `retainBytes` of
// the URL are split evenly among the partitions (those opened and those found), so all of
// them together stay within what the URL says. `retainMs` is a time and applies to each as it is.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { openQueue, type Queue } from '@sluice/queue';

type FileModes = NonNullable<Parameters<typeof openQueue>[1]>;

const PARTITION_DIR = /^w([1-9]\d{0,3})$/;
/** The URL parameters that are a budget of bytes for the whole data directory. */
const SHARED_BUDGETS = ['maxBytes', 'retainBytes'] as const;

/** The directory of a `log:` URL (as `openQueue` reads it), resolved. */
export function logDirOf(url: string): string {
  const base = url.replace(/\?.*$/, '');
  return resolve(base.slice('log:'.length).replace(/^\/\/(?=\/)/, ''));
}

/** The directory of log partition `index` of the log in `queueDir`. */
export function logPartitionDir(queueDir: string, index: number): string {
  return index === 0 ? queueDir : join(queueDir, `w${index}`);
}

/** True when `dir` is log partition i >= 1 of a log (`<queue>/w<i>` beside its segments). */
export function isLogPartitionDir(dir: string): boolean {
  return PARTITION_DIR.test(basename(dir)) && existsSync(join(dirname(dir), 'segments'));
}

/**
 * The log partitions found in `queueDir`, partition 0 first: 0 when the directory exists, and
 * each `w<i>` sub-directory that holds a log (its `segments`), in order.
 */
export async function findLogPartitions(queueDir: string): Promise<number[]> {
  if (!existsSync(queueDir)) return [];
  const found = [0];
  for (const name of await readdir(queueDir)) {
    const index = PARTITION_DIR.exec(name)?.[1];
    if (index !== undefined && existsSync(join(queueDir, name, 'segments'))) {
      found.push(Number(index));
    }
  }
  return found.sort((a, b) => a - b);
}

/**
 * The queue URL of log partition `index` of `url` (a `log:` URL) when `count` partitions are
 * open: the byte budgets of the URL divided among them (module comment).
 */
export function logPartitionUrl(url: string, index: number, count = 1): string {
  const query = url.indexOf('?');
  const base = query === -1 ? url : url.slice(0, query);
  const params = new URLSearchParams(query === -1 ? '' : url.slice(query + 1));
  for (const key of SHARED_BUDGETS) {
    const value = params.get(key);
    // Left as written when not a number: openQueue names the bad value.
    if (value !== null && /^\d+$/.test(value) && count > 1) {
      params.set(key, String(Math.floor(Number(value) / count)));
    }
  }
  const rest = params.size === 0 ? '' : `?${params.toString()}`;
  if (index === 0) return count > 1 ? `${base}${rest}` : url;
  return `${base.replace(/\/+$/, '')}/w${index}${rest}`;
}

/**
 * The queue URLs `workers` collectors append to: for a `log:` URL one partition each, for any
 * other queue the one URL for all (it takes several writers itself). With `found` (the
 * forwarding commands), partitions a run with more workers left behind are named too, so their
 * events are forwarded; the collectors append only to the first `workers`.
 */
export async function workerQueueUrls(
  url: string,
  workers: number,
  options: { found?: boolean } = {},
): Promise<string[]> {
  if (!url.startsWith('log:')) return [url];
  // Partitions left by a run with more workers hold bytes too: the budget counts them.
  const found = await findLogPartitions(logDirOf(url));
  const shares = Math.max(workers, ...found.map((index) => index + 1));
  const count = options.found ? shares : workers;
  return Array.from({ length: count }, (_, index) => logPartitionUrl(url, index, shares));
}

/** Opens the queues of `workerQueueUrls` (the same arguments). */
export async function openWorkerQueues(
  url: string,
  workers: number,
  modes: FileModes,
  options: { found?: boolean } = {},
): Promise<Queue[]> {
  const queues: Queue[] = [];
  try {
    for (const partition of await workerQueueUrls(url, workers, options)) {
      queues.push(await openQueue(partition, modes));
    }
  } catch (error) {
    await Promise.all(queues.map((queue) => queue.close().catch(() => undefined)));
    throw error;
  }
  return queues;
}

/** Opened partitions as startForwarding takes them: the first as `queue`, all when several. */
export function forwardedQueues(queues: readonly Queue[]): {
  queue: Queue;
  logPartitions?: readonly Queue[];
} {
  return { queue: queues[0] as Queue, logPartitions: queues.length > 1 ? queues : undefined };
}

/** Closes every queue of `queues`. */
export async function closeQueues(queues: readonly Queue[]): Promise<void> {
  await Promise.all(queues.map((queue) => queue.close()));
}
