// The partitions of the embedded log for `--workers N`: partition 0 is the log the URL names
// (a single-worker run's, unchanged), partition i is `<dir>/w<i>` with the same query.
// Each is a log of its own: its own lock, segments and consumers.
import { openQueue, type Queue } from '@sluice/queue';

type FileModes = NonNullable<Parameters<typeof openQueue>[1]>;

/** The queue URL of log partition `index` of `url` (a `log:` URL). */
export function logPartitionUrl(url: string, index: number): string {
  if (index === 0) return url;
  const query = url.indexOf('?');
  const base = query === -1 ? url : url.slice(0, query);
  const rest = query === -1 ? '' : url.slice(query);
  return `${base.replace(/\/+$/, '')}/w${index}${rest}`;
}

/**
 * Opens the queues `workers` collectors append to: for a `log:` URL one partition each, for
 * any other queue one shared by all (it takes several writers itself).
 */
export async function openWorkerQueues(
  url: string,
  workers: number,
  modes: FileModes,
): Promise<Queue[]> {
  const count = url.startsWith('log:') ? workers : 1;
  const queues: Queue[] = [];
  try {
    for (let index = 0; index < count; index++) {
      queues.push(await openQueue(logPartitionUrl(url, index), modes));
    }
  } catch (error) {
    await Promise.all(queues.map((queue) => queue.close().catch(() => undefined)));
    throw error;
  }
  return queues;
}
