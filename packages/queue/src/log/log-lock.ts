// One process owns a log directory: a second writer would interleave records and consumer
// files. The lock is `<dir>/lock`, a JSON file naming its holder (pid, host, start time),
// created atomically with link(2) so it never exists half-written.
//
// Why not proper-lockfile: it judges a lock stale by an mtime that the holder refreshes on a
// timer, so a live holder whose event loop stalls past `stale` loses its lock to a second
// process (two live writers), and a lock left by a SIGKILL is only free after that delay.
// Here a lock is stale only when its holder provably is gone: same host, and its pid is not
// running, or is running but started at another time (a reused pid; Linux /proc). A lock from
// another host cannot be checked and is never taken over. Taking over a stale lock is
// serialised by a second file (`lock.takeover`), so two newcomers cannot both take it.

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** Who holds a log directory. */
export interface LockHolder {
  pid: number;
  host: string;
  /** ISO time the holder took the lock. */
  since: string;
  /** The holder's start time in clock ticks since boot (Linux), to tell a reused pid apart. */
  procStart?: number;
}

/** Thrown when another live process holds the log directory. */
export class LogLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly holder: LockHolder,
    detail = '',
  ) {
    super(
      `the log in ${dir} is in use by pid ${holder.pid} on ${holder.host} since ${holder.since}: ` +
        `only one process may write a log; stop that one, or give this one another directory${detail}`,
    );
    this.name = 'LogLockedError';
  }
}

export interface LogLock {
  /** Removes the lock file (if it is still this process's). */
  release(): Promise<void>;
}

/** The start time of `pid` from /proc (Linux), undefined where there is no /proc. */
function procStartOf(pid: number | 'self'): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[19]);
  } catch {
    return undefined;
  }
}

function isRunning(holder: LockHolder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (holder.procStart === undefined) return true;
  const start = procStartOf(holder.pid);
  return start === undefined || start === holder.procStart;
}

async function readHolder(path: string): Promise<{ text: string; holder: LockHolder } | undefined> {
  try {
    const text = await readFile(path, 'utf8');
    return { text, holder: JSON.parse(text) as LockHolder };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read the lock file ${path}: ${(error as Error).message}`);
  }
}

/** Creates `path` with `text`, atomically; false if it exists. */
async function createExclusive(path: string, text: string, fileMode: number): Promise<boolean> {
  const temp = `${path}.${randomUUID()}.tmp`;
  await writeFile(temp, text, { mode: fileMode });
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/**
 * Takes the lock of the log in `dir`, or throws LogLockedError naming the live holder.
 * A lock whose holder is gone (killed) is taken over; see the module comment.
 */
export async function lockLogDir(dir: string, fileMode = 0o600): Promise<LogLock> {
  const path = join(dir, 'lock');
  const guard = join(dir, 'lock.takeover');
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    procStart: procStartOf('self'),
  };
  const mine = JSON.stringify(me);
  for (let attempt = 0; attempt < 20; attempt++) {
    if (await createExclusive(path, mine, fileMode)) return { release: () => release(path, mine) };
    const found = await readHolder(path);
    if (!found) continue; // released meanwhile
    const { holder } = found;
    if (holder.host !== me.host) {
      throw new LogLockedError(
        dir,
        holder,
        `; it cannot be checked from ${me.host}: if it is not running, remove ${path}`,
      );
    }
    if (isRunning(holder)) throw new LogLockedError(dir, holder);
    if (!(await createExclusive(guard, mine, fileMode))) {
      const taking = await readHolder(guard);
      if (taking && taking.holder.host === me.host && !isRunning(taking.holder)) {
        throw new LogLockedError(
          dir,
          taking.holder,
          `; its takeover was cut short: if it is not running, remove ${guard}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
      continue;
    }
    try {
      // Still the stale lock we judged (not one a faster newcomer just took)?
      if ((await readHolder(path))?.text === found.text) await unlink(path);
    } finally {
      await unlink(guard);
    }
  }
  throw new Error(`could not take the lock ${path}: it keeps changing hands`);
}

async function release(path: string, mine: string): Promise<void> {
  if ((await readHolder(path).catch(() => undefined))?.text === mine) await unlink(path);
}
