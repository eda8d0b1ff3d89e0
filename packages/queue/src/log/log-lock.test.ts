import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LogLockedError, lockLogDir } from './log-lock.js';
import { openLogQueue } from './log-queue.js';
import { tempDirEachTest } from './test-support.js';

let dir: string;
tempDirEachTest('sluice-log-lock-', (d) => {
  dir = d;
});

/** The pid of a process that has ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid!;
}

const lockFile = () => join(dir, 'lock');
const holderFile = (holder: object) => writeFile(lockFile(), JSON.stringify(holder));

describe('log directory lock', () => {
  it('refuses a second open of a log this process has open, and frees it on close', async () => {
    const log = await openLogQueue({ dir });
    await expect(openLogQueue({ dir })).rejects.toBeInstanceOf(LogLockedError);
    await log.close();
    const again = await openLogQueue({ dir });
    await again.close();
  });

  it('takes over a lock whose holder has ended', async () => {
    await holderFile({ pid: deadPid(), host: hostname(), since: '2026-01-01T00:00:00Z' });
    const lock = await lockLogDir(dir);
    expect(JSON.parse(await readFile(lockFile(), 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  it('takes over a lock whose pid runs again but started at another time (a reused pid)', async () => {
    await holderFile({
      pid: process.pid,
      host: hostname(),
      since: '2026-01-01T00:00:00Z',
      procStart: 1,
    });
    const lock = await lockLogDir(dir);
    await lock.release();
  });

  it('never takes a lock held on another host, which it cannot check', async () => {
    await holderFile({ pid: deadPid(), host: 'elsewhere', since: '2026-01-01T00:00:00Z' });
    await expect(lockLogDir(dir)).rejects.toThrow(/pid \d+ on elsewhere since 2026-01-01.*remove/);
  });

  it('lets one of two simultaneous takeovers of a stale lock in, never both', async () => {
    await holderFile({ pid: deadPid(), host: hostname(), since: '2026-01-01T00:00:00Z' });
    const results = await Promise.allSettled([lockLogDir(dir), lockLogDir(dir), lockLogDir(dir)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(LogLockedError);
    }
  });
});
