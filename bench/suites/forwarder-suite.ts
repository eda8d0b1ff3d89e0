// Forwarder throughput: a preloaded log drained into the local store and into an S3 server,
// the forwarder in its own process with default options (64 MiB / 120 s rotation, gzip 6).

import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FORWARDER_NODE_FLAGS } from '@sluice/forwarder';
import { startS3Server } from '@sluice/testkit/s3';
import type { BuiltServers } from '../build-servers.js';
import type { ChildValues } from '../protocol.js';
import { type ServerProcessOptions, startServerProcess } from '../server-process.js';
import { openStore, type StoreTarget } from '../servers/bench-store.js';
import type { ForwarderDrainConfig } from '../servers/forwarder-drain.js';
import type { Settings } from '../settings.js';
import { type GzipCeiling, measureGzipCeiling } from './gzip-ceiling.js';
import { type Preloaded, preloadQueue } from './preload-queue.js';

const POLL_MS = 100;
/** A drain that takes longer than this is stuck (seconds in the forwarder suite; 1M events as Parquet in the lake suite take minutes on a busy machine). */
const DRAIN_TIMEOUT_MS = 20 * 60_000;

/** The V8 setting that trades speed for a smaller heap, measured beside the default. */
export const SMALL_HEAP_FLAG = '--optimize-for-size';
/** The drain without FORWARDER_NODE_FLAGS: what they change, in the same run. */
const NODE_DEFAULTS_TARGET =
  "local directory, node's defaults (without --max-semi-space-size, for comparison)";

/** What every drain measures, whatever it drains to (NaN where the child did not say). */
export interface DrainMeasures {
  elapsedMs: number;
  /** CPU time of the forwarder's process during the drain (all its threads). */
  cpuMs: number;
  fileSizes: number[];
  maxRssBytes: number;
}

export interface ForwarderDrain extends DrainMeasures {
  target:
    | 'local directory'
    | 'S3 server (s3rver)'
    | `local directory, node ${typeof SMALL_HEAP_FLAG} (for comparison)`
    | typeof NODE_DEFAULTS_TARGET;
  compressedBytes: number;
  linesWritten: number;
  /** Checkpoint saves (one before each file's put, naming its range; one after) and their time. */
  checkpointPuts: number;
  checkpointPutMs: number;
  /** The other puts: the files. */
  otherPuts: number;
  /** The parts of the RSS at its highest sample (process.memoryUsage and /proc/self/status). */
  atPeak: {
    rss: number;
    heapTotal: number;
    heapUsed: number;
    arrayBuffers: number;
    rssAnon: number;
    rssFile: number;
  };
}

export interface ForwarderResults {
  preloaded: Preloaded;
  drains: ForwarderDrain[];
  gzipCeiling: GzipCeiling;
}

/**
 * Runs the forwarder-drain child on `config` until it has drained the queue and stopped; its
 * final values, and what every drain measures (the sizes of the files under `events/` in its
 * store among them).
 */
export async function drainInChild(
  built: BuiltServers,
  config: ForwarderDrainConfig,
  options: ServerProcessOptions,
  what: string,
  forwarderFlags = true,
): Promise<{ values: ChildValues; measures: DrainMeasures }> {
  // With the node flags `sluice forwarder` starts with (what a user's forwarder runs with),
  // unless `forwarderFlags` is false: node's own defaults, for comparison.
  const child = await startServerProcess(built.entry('forwarder-drain'), config, {
    ...options,
    nodeFlags: [...(forwarderFlags ? FORWARDER_NODE_FLAGS : []), ...(options.nodeFlags ?? [])],
  });
  let values: ChildValues;
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  try {
    do {
      if (Date.now() > deadline) throw new Error(`forwarder drain to ${what} is stuck`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      values = await child.values();
    } while (!values.done);
  } finally {
    values = await child.stop();
  }
  const fileSizes: number[] = [];
  for await (const object of openStore(config.store).list('events/')) fileSizes.push(object.size);
  const measures = {
    elapsedMs: values.elapsedMs ?? Number.NaN,
    cpuMs: values.drainCpuMs ?? Number.NaN,
    fileSizes,
    maxRssBytes: values.maxRssBytes ?? Number.NaN,
  };
  return { values, measures };
}

export async function runForwarderSuite(
  settings: Settings,
  built: BuiltServers,
  cpuProfileDir: string | undefined,
): Promise<ForwarderResults> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-forwarder-'));
  const s3 = await startS3Server({ bucket: 'bench' });
  try {
    console.log(`forwarder: preloading ${settings.forwarder.events} events`);
    const preloaded = await preloadQueue(join(dir, 'queue'), settings.forwarder.events);
    const targets: Array<[ForwarderDrain['target'], StoreTarget, string[], boolean?]> = [
      ['local directory', { kind: 'fs', root: join(dir, 'store') }, []],
      ['S3 server (s3rver)', { kind: 's3', bucket: s3.bucket, clientConfig: s3.clientConfig }, []],
      [NODE_DEFAULTS_TARGET, { kind: 'fs', root: join(dir, 'store-node-defaults') }, [], false],
      // What V8's own memory-for-speed trade would do to the peak RSS (and the speed).
      [
        `local directory, node ${SMALL_HEAP_FLAG} (for comparison)`,
        { kind: 'fs', root: join(dir, 'store-small-heap') },
        [SMALL_HEAP_FLAG],
      ],
    ];
    const drains: ForwarderDrain[] = [];
    for (const [target, store, nodeFlags, forwarderFlags = true] of targets) {
      // Each drain gets its own copy of the log: a drain acknowledges (and so consumes) it.
      const queueDir = join(dir, `queue-${drains.length}`);
      await cp(join(dir, 'queue'), queueDir, { recursive: true });
      const { values, measures } = await drainInChild(
        built,
        { queueDir, store, expected: preloaded.events },
        {
          label: `forwarder-${store.kind}${nodeFlags.length > 0 ? '-small-heap' : ''}${forwarderFlags ? '' : '-node-defaults'}`,
          cpuProfileDir,
          nodeFlags,
        },
        target,
        forwarderFlags,
      );
      const drain: ForwarderDrain = {
        target,
        ...measures,
        compressedBytes: values.bytesWritten ?? Number.NaN,
        linesWritten: values.linesWritten ?? Number.NaN,
        checkpointPuts: values.checkpointPuts ?? Number.NaN,
        checkpointPutMs: values.checkpointPutMs ?? Number.NaN,
        otherPuts: values.otherPuts ?? Number.NaN,
        atPeak: {
          rss: values.peakSampledRss ?? Number.NaN,
          heapTotal: values.peakHeapTotal ?? Number.NaN,
          heapUsed: values.peakHeapUsed ?? Number.NaN,
          arrayBuffers: values.peakArrayBuffers ?? Number.NaN,
          rssAnon: values.peakRssAnon ?? Number.NaN,
          rssFile: values.peakRssFile ?? Number.NaN,
        },
      };
      if (drain.linesWritten !== preloaded.events) {
        throw new Error(`forwarder wrote ${drain.linesWritten} of ${preloaded.events} lines`);
      }
      console.log(
        `forwarder: ${target}: ${preloaded.events} events in ${Math.round(drain.elapsedMs)} ms, ` +
          `${(preloaded.ndjsonBytes / 1e6 / (drain.elapsedMs / 1000)).toFixed(1)} MB/s, ${drain.fileSizes.length} files`,
      );
      drains.push(drain);
      await rm(queueDir, { recursive: true, force: true });
    }
    const gzipCeiling = await measureGzipCeiling(join(dir, 'queue'));
    return { preloaded, drains, gzipCeiling };
  } finally {
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  }
}
