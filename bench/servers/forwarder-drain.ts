// The forwarder under test: drains a queue the harness preloaded into the store with default
// options (or those given) and its dedup index in LMDB (as `sluice start` runs it), then stops (uploading what
// is still buffered). Reports wall and CPU time from the start to the last acknowledgement;
// gzip runs on libuv's threads, so CPU time can exceed wall.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ForwarderOptionsInput, startForwarder } from '@sluice/forwarder';
import { openLogQueue } from '@sluice/queue';
// The checkpoint's folder (a bench-only import: the forwarder's own files are not its API).
import { CHECKPOINT_PREFIX } from '../../packages/layout/src/object-keys.js';
import { countingPuts, openStore, type StoreTarget } from './bench-store.js';
import { runChild } from './child-runtime.js';

export interface ForwarderDrainConfig {
  queueDir: string;
  store: StoreTarget;
  /** Entries in the queue: the drain is over once all were read and the forwarder stopped. */
  expected: number;
  /** Forwarder options beside the defaults (the lake suite sets `format`). */
  options?: ForwarderOptionsInput;
}

const POLL_MS = 5;
/** How often the drain samples its memory (what the peak RSS is made of). */
const MEMORY_SAMPLE_MS = 20;

/**
 * The parts of the RSS at its sampled peak: V8's heap, memory outside it (ArrayBuffers: read
 * chunks, gzip staging, the dedup filter), and the process's own pages against file pages
 * (the node binary, LMDB's memory map), from /proc/self/status.
 */
function sampleMemory(): { stop(): Record<string, number> } {
  let peak = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0, anon: 0, file: 0 };
  const sample = () => {
    const now = process.memoryUsage();
    if (now.rss <= peak.rss) return;
    const status = readFileSync('/proc/self/status', 'utf8');
    const kib = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1]) * 1024;
    peak = { ...now, anon: kib('RssAnon'), file: kib('RssFile') };
  };
  const timer = setInterval(sample, MEMORY_SAMPLE_MS);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return {
        peakSampledRss: peak.rss,
        peakHeapTotal: peak.heapTotal,
        peakHeapUsed: peak.heapUsed,
        peakExternal: peak.external,
        peakArrayBuffers: peak.arrayBuffers,
        peakRssAnon: peak.anon,
        peakRssFile: peak.file,
      };
    },
  };
}

runChild<ForwarderDrainConfig>(async ({ queueDir, store, expected, options }) => {
  const memory = sampleMemory();
  const queue = await openLogQueue({ dir: queueDir });
  const cpuAtStart = process.cpuUsage();
  const startedAt = performance.now();
  // Its dedup index on disk (LMDB), as `sluice start` keeps it; inside the queue's folder, which
  // the harness removes after the run.
  // Puts timed, checkpoints apart: what the checkpoint saved before each file's put costs.
  const puts = countingPuts(openStore(store), (key) => key.startsWith(CHECKPOINT_PREFIX));
  const forwarder = await startForwarder({
    queue,
    store: puts.store,
    stateDir: join(queueDir, 'forwarder'),
    ...(options ? { options } : {}),
  });
  let result: Record<string, number> = { done: 0 };
  const drained = (async () => {
    while (forwarder.stats().read < expected) await new Promise((r) => setTimeout(r, POLL_MS));
    await forwarder.stop();
    const cpu = process.cpuUsage(cpuAtStart);
    const stats = forwarder.stats();
    const memoryAtPeak = memory.stop();
    result = {
      done: 1,
      elapsedMs: performance.now() - startedAt,
      drainCpuMs: (cpu.user + cpu.system) / 1000,
      read: stats.read,
      acked: stats.acked,
      filesWritten: stats.filesWritten,
      linesWritten: stats.linesWritten,
      bytesWritten: stats.bytesWritten,
      failures: stats.failures,
      ...puts.counts,
      ...memoryAtPeak,
    };
  })();
  drained.catch((error: unknown) => {
    console.error('forwarder drain failed:', error);
    process.exit(1);
  });
  return {
    url: '',
    values: () => result,
    stop: async () => {
      await forwarder.stop();
      await queue.close();
    },
  };
});
