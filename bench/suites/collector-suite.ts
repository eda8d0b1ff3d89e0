// Collector throughput and latency next to its ceilings. For each batch size every server
// runs in its own process at once (idle ones cost nothing) and is loaded in turns, round after
// round, so a ratio compares figures taken minutes apart at most, never across runs.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMIT_MS_BOUNDS } from '@sluice/queue';
import type { BuiltServers } from '../build-servers.js';
import { BENCH_HEADERS, makeBatchBody } from '../events/segment-event.js';
import type { OtherNode } from '../oldest-node.js';
import type { ChildValues } from '../protocol.js';
import { type ServerProcess, startServerProcess } from '../server-process.js';
import type { Settings } from '../settings.js';
import { median } from '../stats.js';
import { errorCount, requestsPerSecond, runWrk, type WrkResult } from '../wrk/run-wrk.js';
import { type ServerUnderTest, serversUnderTest } from './collector-servers.js';
import { type StallSplit, stallSplit } from './stall-report.js';

/** One wrk run against one server. */
export interface CollectorRun {
  wrk: WrkResult;
  requestsPerSecond: number;
  /** Events in requests answered 2xx, per second (for the collector: checked against its queue). */
  eventsPerSecond: number;
  /** fdatasync calls per second (collector in 'fsync' mode). */
  syncsPerSecond: number;
  /**
   * Upper bound of the 99th percentile of the log's group commits (writev + fdatasync) during
   * the run, in ms (log modes only): Infinity when above the last bucket bound.
   */
  commitP99Ms?: number;
  /** The server's event loop during the run (collector only): delay p99 and max, GC pauses, ms. */
  loopDelayP99Ms?: number;
  loopDelayMaxMs?: number;
  gcMaxMs?: number;
  gcTotalMs?: number;
  /** The loop's stalls above STALL_MS (loop-stalls.ts), split by what the thread did, ms. */
  stalls?: StallSplit;
  errors: number;
  /**
   * The server process's CPU time (all threads, user + system) per request answered, µs: on a
   * shared machine a steadier figure than req/s, which also measures what the others left.
   */
  cpuUsPerRequest: number;
}

export interface CollectorMeasurement {
  server: ServerUnderTest;
  batch: number;
  /** The round with the median requests/s (its latencies are reported with it). */
  median: CollectorRun;
  rounds: CollectorRun[];
  /** The fixed-rate run below saturation (collector modes only). */
  belowSaturation?: { offeredRate: number; run: CollectorRun };
  maxRssBytes: number;
}

export interface CollectorResults {
  measurements: CollectorMeasurement[];
  runSeconds: number;
  rounds: number;
  connections: number;
  /** The fixed-rate runs' share of each mode's own max req/s. */
  latencyLoadShare: number;
}

export async function runCollectorSuite(
  settings: Settings,
  built: BuiltServers,
  runId: string,
  cpuProfileDir: string | undefined,
  otherNode?: OtherNode,
): Promise<CollectorResults> {
  const s = settings.collector;
  const servers = serversUnderTest(otherNode);
  const measurements: CollectorMeasurement[] = [];
  for (const batch of s.batchSizes) {
    const dataDir = await mkdtemp(join(tmpdir(), 'sluice-bench-collector-'));
    const running: ServerProcess[] = [];
    try {
      for (const server of servers) {
        running.push(
          await startServerProcess(
            built.entry(server.entry),
            { mode: server.mode, queueDir: join(dataDir, server.key) },
            {
              label: `${server.key}-b${batch}`,
              cpuProfileDir,
              execPath: server.execPath,
              nodeFlags: server.nodeFlags ? [...server.nodeFlags] : undefined,
            },
          ),
        );
      }
      const pairs = servers.map((server, i) => ({ server, child: running[i]! }));
      for (const { server, child } of pairs) await verifyServer(server, child, batch);

      const load = (url: string, idPrefix: string, seconds: number, rate?: number) =>
        runWrk({
          url: `${url}/v1/batch`,
          batch,
          durationSeconds: seconds,
          connections: s.connections,
          templatePath: built.templatePath,
          idPrefix,
          rate,
        });
      const measure = async (
        p: ServerProcess,
        idPrefix: string,
        seconds: number,
        rate?: number,
      ) => {
        const before = await p.values();
        const wrk = await load(p.url, idPrefix, seconds, rate);
        return toRun(wrk, batch, before, await p.values());
      };

      console.log(`collector: batch ${batch}: warming up ${pairs.length} servers`);
      for (const { server, child } of pairs) {
        await load(child.url, `${runId}-${server.key}-b${batch}-warm`, s.warmupSeconds);
      }
      const rounds = new Map<string, CollectorRun[]>(pairs.map(({ server }) => [server.key, []]));
      for (let round = 1; round <= s.rounds; round++) {
        for (const { server, child } of pairs) {
          const prefix = `${runId}-${server.key}-b${batch}-r${round}`;
          const run = await measure(child, prefix, s.seconds);
          rounds.get(server.key)!.push(run);
          console.log(
            `collector: batch ${batch} round ${round} ${server.key}: ${Math.round(run.requestsPerSecond)} req/s, ` +
              `${Math.round(run.eventsPerSecond)} events/s, p99 ${(run.wrk.p99Us / 1000).toFixed(2)} ms, ` +
              `CPU ${run.cpuUsPerRequest.toFixed(1)} µs/request` +
              (run.errors ? `, ${run.errors} errors` : ''),
          );
        }
      }
      const batchMeasurements: CollectorMeasurement[] = [];
      for (const { server, child } of pairs) {
        const runs = rounds.get(server.key)!;
        const mid = median(runs.map((r) => r.requestsPerSecond));
        const measurement: CollectorMeasurement = {
          server,
          batch,
          median: runs.find((r) => r.requestsPerSecond === mid)!,
          rounds: runs,
          maxRssBytes: 0,
        };
        if (server.mode) {
          const offeredRate = Math.max(1, Math.round(mid * s.latencyLoadShare));
          const prefix = `${runId}-${server.key}-b${batch}-lat`;
          const run = await measure(child, prefix, s.latencySeconds, offeredRate);
          measurement.belowSaturation = { offeredRate, run };
          console.log(
            `collector: batch ${batch} ${server.key} at ${offeredRate} req/s: ` +
              `p50 ${(run.wrk.p50Us / 1000).toFixed(2)} ms, p99 ${(run.wrk.p99Us / 1000).toFixed(2)} ms`,
          );
        }
        batchMeasurements.push(measurement);
      }
      for (const [i, p] of running.entries()) {
        batchMeasurements[i]!.maxRssBytes = (await p.stop()).maxRssBytes ?? 0;
      }
      measurements.push(...batchMeasurements);
      running.length = 0;
    } finally {
      for (const p of running) p.kill();
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  return {
    measurements,
    runSeconds: s.seconds,
    rounds: s.rounds,
    connections: s.connections,
    latencyLoadShare: s.latencyLoadShare,
  };
}

/** One request before the load: the body must be taken whole (a ceiling answers 204). */
async function verifyServer(server: ServerUnderTest, p: ServerProcess, batch: number) {
  const response = await fetch(`${p.url}/v1/batch`, {
    method: 'POST',
    headers: BENCH_HEADERS,
    body: makeBatchBody(`verify-${server.key}-${Date.now()}`, batch),
  });
  const text = await response.text();
  if (!server.mode) {
    if (response.status !== 204) throw new Error(`${server.key}: ${response.status} ${text}`);
    return;
  }
  const answer = JSON.parse(text) as { accepted?: number; rejected?: unknown[] };
  if (response.status !== 200 || answer.accepted !== batch || answer.rejected?.length) {
    throw new Error(`${server.key} refused the benchmark's events: ${response.status} ${text}`);
  }
}

function toRun(wrk: WrkResult, batch: number, before: ChildValues, after: ChildValues) {
  const seconds = wrk.durationUs / 1e6;
  // A 2xx means every event of the request was taken (durably, for the log modes).
  const taken = (wrk.requests - wrk.statusErrors) * batch;
  if ('appended' in after && after.appended! - (before.appended ?? 0) < taken) {
    throw new Error(`the queue holds fewer events than were acknowledged (${taken})`);
  }
  return {
    wrk,
    requestsPerSecond: requestsPerSecond(wrk),
    eventsPerSecond: taken / seconds,
    syncsPerSecond: ((after.syncs ?? 0) - (before.syncs ?? 0)) / seconds,
    commitP99Ms: commitQuantileBound(before, after, 0.99),
    // Read by the child since its previous read, which is `before`: these are the run's own.
    loopDelayP99Ms: after.loopDelayP99Ms,
    loopDelayMaxMs: after.loopDelayMaxMs,
    gcMaxMs: after.gcMaxMs,
    gcTotalMs: after.gcTotalMs,
    stalls: stallSplit(after),
    errors: errorCount(wrk),
    cpuUsPerRequest:
      (((after.cpuMs ?? 0) - (before.cpuMs ?? 0)) * 1000) / Math.max(1, wrk.requests),
  } satisfies CollectorRun;
}

/** The bucket bound below which `q` of the log's commits between two snapshots fell. */
function commitQuantileBound(before: ChildValues, after: ChildValues, q: number) {
  const counts = COMMIT_MS_BOUNDS.map(
    (_, i) => (after[`commit_${i}`] ?? 0) - (before[`commit_${i}`] ?? 0),
  );
  const total = counts.reduce((sum, n) => sum + n, 0);
  if (total === 0) return undefined;
  let seen = 0;
  for (const [i, count] of counts.entries()) {
    seen += count;
    if (seen >= q * total) return COMMIT_MS_BOUNDS[i];
  }
  return undefined;
}
