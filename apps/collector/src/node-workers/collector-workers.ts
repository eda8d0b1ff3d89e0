// `--workers N`: N collectors in worker threads of this process, sharing one port with
// SO_REUSEPORT (the kernel spreads connections among them), so parsing and validating use
// every core. Worker i appends to partition i of the embedded log. Who writes it:
// - with `ownQueues` (`sluice collector --workers N`), thread i opens partition i and owns it
//   (collector-thread.ts): nothing of the hot path is left on this thread;
// - with `queues` (`sluice start --workers N`), this (main) thread writes them: the log's writer
//   and its consumer (the forwarder) must live in one thread.
// Either way one process owns each partition's directory (its lock). Why partitions at all:
// each has its own group commit, file and fsync stream, and a worker never waits on another's.
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { QueueProducer } from '@sluice/queue';
import type { Registry } from 'prom-client';
import type { ConfigReloadOptions } from '../config-reload.js';
import { reusePortSupport } from '../node.js';
import { appendFrames } from './frames-hand-off.js';
import {
  createWorkerMetrics,
  registerLogPartitionMetrics,
  type WorkerMetrics,
} from './worker-metrics.js';
import type { FromWorker, ToWorker, WorkerStart } from './worker-protocol.js';

/** How often the main thread tells the threads whether the process is ready (/readyz). */
const READINESS_EVERY_MS = 250;

export interface CollectorWorkers {
  url: string;
  /** Closes every worker's server (waiting for open requests), then ends the threads. */
  close(): Promise<void>;
}

export interface CollectorWorkersStart extends Omit<WorkerStart, 'index' | 'reload' | 'queue'> {
  workers: number;
  /**
   * Reload the config while running, as `startCollector` does: each thread watches the file
   * and takes SIGHUP, and `load` runs here, in the main thread, for each of them.
   */
  reload?: ConfigReloadOptions;
  /** Worker i appends to `queues[i]` (or `queues[0]`), written by this thread; or: */
  queues?: readonly QueueProducer[];
  /** Thread i opens `urls[i]` and owns it (module comment). */
  ownQueues?: { urls: readonly string[]; modes: NonNullable<WorkerStart['queue']>['modes'] };
  /** Why the process is not ready (the forwarder's reason in `sluice start`): /readyz says it. */
  notReady?: () => string | undefined;
  /** The main thread's metrics (process, forwarder), served with the threads' at /metrics. */
  registry?: Registry;
}

/** Starts `workers` collector threads, worker i appending to its queue (see `queues`). */
export async function startCollectorWorkers(
  start: CollectorWorkersStart,
): Promise<CollectorWorkers> {
  const unsupported = reusePortSupport();
  if (unsupported) throw new Error(`--workers ${start.workers}: ${unsupported}`);
  // What goes to the threads must be cloned: no functions, no registry.
  const { workers, queues = [], ownQueues, notReady, registry, reload, ...cloned } = start;
  if (queues.length > 0 === (ownQueues !== undefined)) {
    throw new Error('startCollectorWorkers: give either queues or ownQueues');
  }
  if (ownQueues && ownQueues.urls.length < workers) {
    throw new Error(`startCollectorWorkers: ${workers} workers, ${ownQueues.urls.length} queues`);
  }
  const queueOf = (index: number): WorkerStart['queue'] =>
    ownQueues && { url: ownQueues.urls[index] as string, modes: ownQueues.modes };
  const threadStart = { ...cloned, reload: reload && withoutLoad(reload) };
  const threads: Worker[] = [];
  const metrics = createWorkerMetrics(threads, registry);
  // Threads that own their partition serve its metrics themselves (summed per scrape).
  if (registry && queues.length > 0) registerLogPartitionMetrics(registry, queues);
  const stopAll = () => Promise.all(threads.map((thread) => thread.terminate()));
  // Signals reach the main thread only; without this listener SIGHUP would end the process.
  const hangup = () => broadcast(threads, { type: 'hangup' });
  process.on('SIGHUP', hangup);
  const readiness = watchReadiness(threads, notReady);
  const stopMain = () => {
    process.off('SIGHUP', hangup);
    clearInterval(readiness);
  };
  try {
    // With port 0, worker 0 first: it picks the port the others then share. With a port
    // given, all at once (a thread takes about as long to start as the whole process).
    const first = startThread(
      threads,
      { ...threadStart, index: 0, queue: queueOf(0) },
      queues,
      metrics,
      reload,
    );
    const port = start.port === 0 ? Number(new URL(await first).port) : start.port;
    const rest = [first];
    for (let index = 1; index < workers; index++) {
      rest.push(
        startThread(
          threads,
          { ...threadStart, index, port, queue: queueOf(index) },
          queues,
          metrics,
          reload,
        ),
      );
    }
    const [url] = await Promise.all(rest);
    return {
      url: url as string,
      close: () => {
        stopMain();
        return closeThreads(threads);
      },
    };
  } catch (error) {
    stopMain();
    await stopAll();
    throw error;
  }
}

function withoutLoad({ load: _, ...rest }: ConfigReloadOptions): WorkerStart['reload'] {
  return rest;
}

function broadcast(threads: readonly Worker[], message: ToWorker): void {
  for (const thread of threads) thread.postMessage(message);
}

/** Tells the threads each change of `notReady` (they answer /readyz without asking). */
function watchReadiness(
  threads: readonly Worker[],
  notReady: (() => string | undefined) | undefined,
): ReturnType<typeof setInterval> | undefined {
  if (!notReady) return undefined;
  let last: string | undefined;
  const timer = setInterval(() => {
    const now = notReady();
    if (now === last) return;
    last = now;
    broadcast(threads, { type: 'readiness', notReady: now });
  }, READINESS_EVERY_MS);
  timer.unref();
  return timer;
}

function startThread(
  threads: Worker[],
  workerStart: WorkerStart,
  queues: readonly QueueProducer[],
  metrics: WorkerMetrics,
  reload: ConfigReloadOptions | undefined,
): Promise<string> {
  const { index } = workerStart;
  const queue = queues[index] ?? queues[0];
  const here = fileURLToPath(import.meta.url);
  const thread = new Worker(new URL(`./collector-thread${extname(here)}`, import.meta.url), {
    workerData: workerStart,
  });
  threads.push(thread);
  const reply = (message: ToWorker) => thread.postMessage(message);
  return new Promise((resolve, reject) => {
    thread.once('error', reject);
    thread.once('exit', (code) => reject(new Error(`collector worker ${index} exited (${code})`)));
    thread.on('message', (message: FromWorker) => {
      if (message.type === 'listening') resolve(message.url);
      else if (message.type === 'failed') reject(new Error(message.message));
      else if (message.type === 'frames' && queue) appendFrames(queue, message, reply);
      else if (message.type === 'scrape') metrics.answer(thread, message.id);
      else if (message.type === 'collected') metrics.collected(message);
      else if (message.type === 'load-config' && reload) loadConfig(reload, message.id, reply);
    });
  });
}

/** A thread's config reload: loaded (and checked) here, the new config sent back. */
function loadConfig(
  reload: ConfigReloadOptions,
  id: number,
  reply: (message: ToWorker) => void,
): void {
  reload.load().then(
    (config) => reply({ type: 'config-loaded', id, config }),
    (error: unknown) =>
      reply({
        type: 'config-loaded',
        id,
        error: error instanceof Error ? error.message : String(error),
      }),
  );
}

async function closeThreads(threads: readonly Worker[]): Promise<void> {
  await Promise.all(
    threads.map(
      (thread) =>
        new Promise<void>((resolve) => {
          thread.on('message', (message: FromWorker) => {
            if (message.type === 'closed') resolve();
          });
          thread.once('exit', () => resolve());
          thread.postMessage({ type: 'close' } satisfies ToWorker);
        }),
    ),
  );
  await Promise.all(threads.map((thread) => thread.terminate()));
}
