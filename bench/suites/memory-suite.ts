// Memory under sustained load: the collector and the forwarder in one process (as `pnpm start`
// runs them: durable log with fdatasync, local store, default rotation), wrk saturating it for
// a minute while the RSS is sampled from /proc. Run with the node flags `sluice start`
// relaunches with, then with node's defaults for comparison.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FORWARDER_NODE_FLAGS } from '@sluice/forwarder';
import type { BuiltServers } from '../build-servers.js';
import { startServerProcess } from '../server-process.js';
import type { Settings } from '../settings.js';
import { errorCount, requestsPerSecond, runWrk } from '../wrk/run-wrk.js';

const SAMPLE_MS = 250;

export interface MemoryResults {
  /** The node flags of the process (none: node's defaults). */
  nodeFlags: readonly string[];
  seconds: number;
  batch: number;
  connections: number;
  requestsPerSecond: number;
  eventsPerSecond: number;
  errors: number;
  /** RSS samples during the load, bytes. */
  rssSamples: number[];
  /** Peak RSS over the process's life, including the final flush (getrusage). */
  maxRssBytes: number;
  /** What the RSS was made of at its sampled peak (bench/servers/memory-parts.ts), bytes. */
  peakParts: Record<string, number>;
  /** Ids in the dedup index when the load ended. */
  dedupIds: number;
  /** Events in files when the load ended, and after stop() uploaded the rest. */
  ackedAtEndOfLoad: number;
  appended: number;
  filesWritten: number;
}

/** The run as `sluice start` runs (its node flags), then one with node's defaults. */
export async function runMemorySuite(
  settings: Settings,
  built: BuiltServers,
  runId: string,
  cpuProfileDir: string | undefined,
): Promise<{ start: MemoryResults; nodeDefaults: MemoryResults }> {
  const start = await runPipeline(settings, built, `${runId}-start`, cpuProfileDir, [
    ...FORWARDER_NODE_FLAGS,
  ]);
  const nodeDefaults = await runPipeline(settings, built, `${runId}-defaults`, undefined, []);
  return { start, nodeDefaults };
}

async function runPipeline(
  settings: Settings,
  built: BuiltServers,
  runId: string,
  cpuProfileDir: string | undefined,
  nodeFlags: readonly string[],
): Promise<MemoryResults> {
  const m = settings.memory;
  const dataDir = await mkdtemp(join(tmpdir(), 'sluice-bench-memory-'));
  const pipeline = await startServerProcess(
    built.entry('pipeline'),
    { dataDir },
    { label: 'pipeline-memory', cpuProfileDir, nodeFlags: [...nodeFlags] },
  );
  try {
    const rssSamples: number[] = [];
    const sampler = setInterval(() => rssSamples.push(pipeline.rssBytes()), SAMPLE_MS);
    const flags = nodeFlags.length > 0 ? `node ${nodeFlags.join(' ')}` : "node's defaults";
    console.log(`memory: ${m.seconds} s of load at ${m.batch} events/request, ${flags}`);
    const wrk = await runWrk({
      url: `${pipeline.url}/v1/batch`,
      batch: m.batch,
      durationSeconds: m.seconds,
      connections: m.connections,
      templatePath: built.templatePath,
      idPrefix: `${runId}-memory`,
    }).finally(() => clearInterval(sampler));
    const atEnd = await pipeline.values();
    const final = await pipeline.stop();
    const seconds = wrk.durationUs / 1e6;
    const peakParts = Object.fromEntries(
      Object.entries(atEnd)
        .filter(([key]) => key.startsWith('peak.'))
        .map(([key, value]) => [key.slice('peak.'.length), value]),
    );
    const results: MemoryResults = {
      nodeFlags,
      seconds,
      batch: m.batch,
      connections: m.connections,
      requestsPerSecond: requestsPerSecond(wrk),
      eventsPerSecond: (atEnd.appended ?? 0) / seconds,
      errors: errorCount(wrk),
      rssSamples,
      maxRssBytes: final.maxRssBytes ?? 0,
      peakParts,
      dedupIds: atEnd.dedupIds ?? 0,
      ackedAtEndOfLoad: atEnd.acked ?? 0,
      appended: final.appended ?? 0,
      filesWritten: final.filesWritten ?? 0,
    };
    console.log(
      `memory: ${Math.round(results.eventsPerSecond)} events/s, peak RSS ${Math.round(results.maxRssBytes / 1e6)} MB`,
    );
    return results;
  } finally {
    pipeline.kill();
    await rm(dataDir, { recursive: true, force: true });
  }
}
