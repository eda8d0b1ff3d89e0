// The offline commands that rewrite the durable log (`sluice erase`, `sluice log verify
// --repair`) take its lock as `sluice start` does, so they refuse to run beside the process
// that owns the log (which would go on writing into the files they replace).
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { type LogLock, LogLockedError, lockLogDir } from '@sluice/queue';
import { logPartitionDir } from './log-partitions.js';

/**
 * Runs `work` holding the lock of the log in `queueDir` (none taken when there is no log
 * there). While another process holds it, throws without running `work`, naming the holder.
 */
export async function withLogLock<T>(
  queueDir: string,
  command: string,
  work: () => Promise<T>,
): Promise<T> {
  if (!existsSync(queueDir)) return work();
  let lock: LogLock;
  try {
    lock = await lockLogDir(queueDir);
  } catch (error) {
    if (!(error instanceof LogLockedError)) throw error;
    const { pid, host, since } = error.holder;
    const elsewhere =
      host === hostname()
        ? ''
        : ` (it cannot be checked from here: if it is not running, remove ${join(queueDir, 'lock')})`;
    throw new Error(
      `${command} rewrites the log in ${queueDir}, which is in use by pid ${pid} on ${host} since ${since}${elsewhere}: stop that sluice (start, collector or forwarder) first, then run this again`,
    );
  }
  try {
    return await work();
  } finally {
    await lock.release();
  }
}

/**
 * Runs `work` holding the lock of every partition of the log in `queueDir` (`--workers N`
 * leaves one per worker, log-partitions.ts), taken in order: while a sluice holds any of them,
 * nothing runs.
 */
export async function withLogPartitionLocks<T>(
  queueDir: string,
  partitions: readonly number[],
  command: string,
  work: () => Promise<T>,
): Promise<T> {
  const [first, ...rest] = partitions;
  if (first === undefined) return work();
  return withLogLock(logPartitionDir(queueDir, first), command, () =>
    withLogPartitionLocks(queueDir, rest, command, work),
  );
}
