// The Node entry: opens the queue consumer, compresses with node:zlib, runs the forwarder.

import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Queue } from '@sluice/queue';
import type { ObjectStore } from '@sluice/store';
import { createForwarder } from './forwarder.js';
import type { ForwarderOptionsInput } from './options.js';
import type { ForwarderStats } from './stats.js';

const gzipAsync = promisify(gzip);

/** gzip level 6: about 196 MB/s and 16x on event NDJSON here (ARCHITECTURE.md). */
export async function gzipLevel6(data: Uint8Array): Promise<Uint8Array> {
  return gzipAsync(data, { level: 6 });
}

export interface StartForwarderOptions {
  queue: Queue;
  store: ObjectStore;
  /** The queue consumer's name, which also names the checkpoint. Default 'forwarder'. */
  consumerName?: string;
  options?: ForwarderOptionsInput;
  /** Told about failed store or queue calls (they are retried). Default: a line on stderr. */
  onError?: (error: unknown, during: string) => void;
  now?: () => number;
}

export interface RunningForwarder {
  /** Stops reading, uploads and acknowledges everything buffered, then closes the consumer. */
  stop(): Promise<void>;
  stats(): ForwarderStats;
  /** Settles when the forwarder ends: after `stop()`, or rejected on an unrecoverable error. */
  done: Promise<void>;
}

/** Starts forwarding `queue` into `store` in the background. */
export async function startForwarder(start: StartForwarderOptions): Promise<RunningForwarder> {
  const consumerName = start.consumerName ?? 'forwarder';
  const consumer = await start.queue.consumer(consumerName);
  const forwarder = createForwarder({
    consumer,
    store: start.store,
    compress: gzipLevel6,
    consumerName,
    options: start.options,
    now: start.now,
    onError: start.onError ?? logError,
  });
  const done = forwarder.run();
  // An unrecoverable error (e.g. a corrupt checkpoint) is reported, never an unhandled rejection.
  done.catch((error: unknown) => console.error('sluice forwarder stopped:', error));
  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= forwarder.stop().finally(() => consumer.close());
      return stopped;
    },
    stats: () => forwarder.stats(),
    done,
  };
}

function logError(error: unknown, during: string): void {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`sluice forwarder: ${during} failed, retrying: ${message}`);
}
