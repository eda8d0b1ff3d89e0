// The Node entry for one queue consumer: opens it, assembles the forwarder (assemble-forwarder.ts)
// and runs it. For any queue, sharded JetStream included, use `startForwarding`.

import type { QueueSource } from '@sluice/queue';
import { assembleForwarder, type ForwarderSetup } from './assemble-forwarder.js';
import { gzipLevel6 } from './formats/gzip.js';
import type { ForwarderStats } from './stats.js';

export { gzipLevel6 };

export interface StartForwarderOptions extends ForwarderSetup {
  queue: QueueSource;
  /** The queue consumer's name, which also names the checkpoint. Default 'forwarder'. */
  consumerName?: string;
}

export interface RunningForwarder {
  /** Stops reading, uploads and acknowledges everything buffered, then closes the consumer. */
  stop(): Promise<void>;
  stats(): ForwarderStats;
  /** Settles when the forwarder ends: after `stop()`, or rejected on an unrecoverable error. */
  done: Promise<void>;
}

/** Starts forwarding `queue` into `store` in the background, on one consumer. */
export async function startForwarder(start: StartForwarderOptions): Promise<RunningForwarder> {
  const consumerName = start.consumerName ?? 'forwarder';
  const consumer = await start.queue.consumer(consumerName);
  const assembled = await assembleForwarder(consumer, consumerName, start).catch(
    async (error: unknown) => {
      await consumer.close();
      throw error;
    },
  );
  const { forwarder } = assembled;
  const done = forwarder.run();
  // An unrecoverable error (e.g. a corrupt checkpoint) is reported, never an unhandled rejection.
  done.catch((error: unknown) => console.error('sluice forwarder stopped:', error));
  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= forwarder
        .stop()
        .finally(() => consumer.close())
        .finally(() => assembled.close());
      return stopped;
    },
    stats: () => forwarder.stats(),
    done,
  };
}
