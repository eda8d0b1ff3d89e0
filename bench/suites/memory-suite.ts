// Memory under sustained load: the collector and the forwarder in one process (as `pnpm start`
// runs them: durable log with fdatasync, local store, default rotation), wrk saturating it for
// a minute while the RSS is sampled from /proc.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuiltServers } from '../build-servers.js';
import { startServerProcess } from '../server-process.js';
import type { Settings } from '../settings.js';
import { errorCount, requestsPerSecond, runWrk } from '../wrk/run-wrk.js';

const SAMPLE_MS = 250;

export interface MemoryResults {
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
  /** Events in files when the load ended, and after stop() uploaded the rest. */
  ackedAtEndOfLoad: number;
  appended: number;
  filesWritten: number;
}

export async function runMemorySuite(
  settings: Settings,
  built: BuiltServers,
  runId: string,
  cpuProfileDir: string | undefined,
): Promise<MemoryResults> {
  const m = settings.memory;
  const dataDir = await mkdtemp(join(tmpdir(), 'sluice-bench-memory-'));
  const pipeline = await startServerProcess(
    built.entry('pipeline'),
    { dataDir },
    { label: 'pipeline-memory', cpuProfileDir },
  );
  try {
    const rssSamples: number[] = [];
    const sampler = setInterval(() => rssSamples.push(pipeline.rssBytes()), SAMPLE_MS);
    console.log(`memory: ${m.seconds} s of load at ${m.batch} events/request`);
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
    const results: MemoryResults = {
      seconds,
      batch: m.batch,
      connections: m.connections,
      requestsPerSecond: requestsPerSecond(wrk),
      eventsPerSecond: (atEnd.appended ?? 0) / seconds,
      errors: errorCount(wrk),
      rssSamples,
      maxRssBytes: final.maxRssBytes ?? 0,
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
