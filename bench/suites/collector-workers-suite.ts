// `--workers N` against one process (issue 18): the collector as `sluice collector` runs it with
// one worker (startCollector on the main thread), with one worker thread, and with two worker
// threads sharing the port, all with the log + fdatasync. They run at once (idle ones cost
// nothing) and are loaded in turns, round after round: the machine is shared, so only ratios
// of figures taken seconds apart mean anything. wrk shares the two cores with them.

import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuiltServers, ServerEntry } from '../build-servers.js';
import type { ChildValues } from '../protocol.js';
import { type ServerProcess, startServerProcess } from '../server-process.js';
import type { Settings } from '../settings.js';
import { median } from '../stats.js';
import { errorCount, runWrk } from '../wrk/run-wrk.js';

export interface WorkersServer {
  key: string;
  label: string;
  entry: ServerEntry;
  /** The server its ratios are to: the one process with the same durability. */
  base: string;
  config: (queueDir: string) => Record<string, unknown>;
}

export const WORKERS_SERVERS: readonly WorkersServer[] = [
  {
    key: 'one-process',
    label: 'one process (`--workers 1`: the collector on the main thread)',
    entry: 'collector',
    base: 'one-process',
    config: (queueDir) => ({ mode: 'fsync', queueDir }),
  },
  {
    key: 'threads-1',
    label: 'one worker thread writing its own log partition',
    entry: 'collector-workers',
    base: 'one-process',
    config: (queueDir) => ({ queueDir, workers: 1, durability: 'fsync', writer: 'threads' }),
  },
  {
    key: 'threads-2',
    label: '`sluice collector --workers 2`: two threads, each writing its own partition',
    entry: 'collector-workers',
    base: 'one-process',
    config: (queueDir) => ({ queueDir, workers: 2, durability: 'fsync', writer: 'threads' }),
  },
  {
    key: 'threads-2-main',
    label: '`sluice start --workers 2`: two threads, both partitions written by the main thread',
    entry: 'collector-workers',
    base: 'one-process',
    config: (queueDir) => ({ queueDir, workers: 2, durability: 'fsync', writer: 'main' }),
  },
  // Without fdatasync: what the two threads give when the disk does not set the pace.
  {
    key: 'one-process-nosync',
    label: 'one process, log without fdatasync',
    entry: 'collector',
    base: 'one-process-nosync',
    config: (queueDir) => ({ mode: 'none', queueDir }),
  },
  {
    key: 'threads-2-nosync',
    label: '`sluice collector --workers 2`, log without fdatasync',
    entry: 'collector-workers',
    base: 'one-process-nosync',
    config: (queueDir) => ({ queueDir, workers: 2, durability: 'none', writer: 'threads' }),
  },
];

export interface WorkersRun {
  eventsPerSecond: number;
  p99Ms: number;
  /** CPU time of the server process (all its threads) per second of the run: cores used. */
  cores: number;
  /** fdatasync calls per second (all partitions). */
  syncsPerSecond: number;
  /** The 1-minute load average as the run began. */
  load: number;
  errors: number;
}

export interface WorkersMeasurement {
  batch: number;
  /** By server key, one run per round. */
  rounds: Map<string, WorkersRun[]>;
}

export interface WorkersResults {
  measurements: WorkersMeasurement[];
  seconds: number;
  connections: number;
  loadAtStart: number[];
  loadAtEnd: number[];
}

const BATCHES = [10, 50] as const;

export async function runWorkersSuite(
  settings: Settings,
  built: BuiltServers,
  runId: string,
  cpuProfileDir: string | undefined,
): Promise<WorkersResults> {
  const { connections, warmupSeconds } = settings.collector;
  const seconds = settings.quick ? 1 : 3;
  const rounds = settings.quick ? 1 : 5;
  const loadAtStart = loadavg();
  const measurements: WorkersMeasurement[] = [];
  for (const batch of BATCHES) {
    const dataDir = await mkdtemp(join(tmpdir(), 'sluice-bench-workers-'));
    const running: ServerProcess[] = [];
    try {
      for (const server of WORKERS_SERVERS) {
        running.push(
          await startServerProcess(
            built.entry(server.entry),
            server.config(join(dataDir, server.key)),
            { label: `workers-${server.key}-b${batch}`, cpuProfileDir },
          ),
        );
      }
      const load = (url: string, idPrefix: string, duration: number) =>
        runWrk({
          url: `${url}/v1/batch`,
          batch,
          durationSeconds: duration,
          connections,
          templatePath: built.templatePath,
          idPrefix,
        });
      for (const [i, server] of WORKERS_SERVERS.entries()) {
        await load(running[i]!.url, `${runId}-w-${server.key}-b${batch}-warm`, warmupSeconds);
      }
      const byServer = new Map<string, WorkersRun[]>(WORKERS_SERVERS.map((s) => [s.key, []]));
      for (let round = 1; round <= rounds; round++) {
        for (const [i, server] of WORKERS_SERVERS.entries()) {
          const child = running[i]!;
          const loadNow = loadavg()[0]!;
          const before = await child.values();
          const wrk = await load(
            child.url,
            `${runId}-w-${server.key}-b${batch}-r${round}`,
            seconds,
          );
          const after = await child.values();
          const run = toRun(wrk, batch, before, after, loadNow);
          byServer.get(server.key)!.push(run);
          console.log(
            `workers: batch ${batch} round ${round} ${server.key}: ${Math.round(run.eventsPerSecond)} events/s, ` +
              `${run.cores.toFixed(2)} cores, ${Math.round(run.syncsPerSecond)} syncs/s, load ${loadNow.toFixed(2)}` +
              (run.errors ? `, ${run.errors} errors` : ''),
          );
        }
      }
      for (const child of running) await child.stop();
      running.length = 0;
      measurements.push({ batch, rounds: byServer });
    } finally {
      for (const child of running) child.kill();
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  return { measurements, seconds, connections, loadAtStart, loadAtEnd: loadavg() };
}

function toRun(
  wrk: Awaited<ReturnType<typeof runWrk>>,
  batch: number,
  before: ChildValues,
  after: ChildValues,
  load: number,
): WorkersRun {
  const seconds = wrk.durationUs / 1e6;
  const taken = (wrk.requests - wrk.statusErrors) * batch;
  if ((after.appended ?? 0) - (before.appended ?? 0) < taken) {
    throw new Error(`the log holds fewer events than were acknowledged (${taken})`);
  }
  return {
    eventsPerSecond: taken / seconds,
    p99Ms: wrk.p99Us / 1000,
    cores: ((after.cpuMs ?? 0) - (before.cpuMs ?? 0)) / 1000 / seconds,
    syncsPerSecond: ((after.syncs ?? 0) - (before.syncs ?? 0)) / seconds,
    load,
    errors: errorCount(wrk),
  };
}

/** The median of each server's events/s, and its per-round ratios to its base server. */
export function workersSummary(m: WorkersMeasurement) {
  return WORKERS_SERVERS.map((server) => {
    const runs = m.rounds.get(server.key)!;
    const base = m.rounds.get(server.base)!;
    const ratios = runs.map((r, i) => r.eventsPerSecond / base[i]!.eventsPerSecond);
    return {
      server,
      eventsPerSecond: median(runs.map((r) => r.eventsPerSecond)),
      ratios,
      ratio: median(ratios),
      cores: median(runs.map((r) => r.cores)),
      syncsPerSecond: median(runs.map((r) => r.syncsPerSecond)),
      p99Ms: median(runs.map((r) => r.p99Ms)),
    };
  });
}
