// Forwarding the partitions of the embedded log that `--workers N` writes (one per collector
// worker, each with its own lock: a log directory keeps one writer).
//
// Why a forwarder per partition, each with its own checkpoint (`<group>` for partition 0,
// `<group>-w<i>` for the others): every partition counts positions from 0, and the forwarder's
// exactly-once argument (forwarder.ts) rests on positions that increase within what one
// checkpoint covers: watermarks, the saved ranges of begun uploads and file names are all
// positions. So each partition is a consumer of its own, as each shard of a sharded JetStream
// stream is (start-forwarding.ts), and its files carry the partition in their names
// (`logPartitionFileName`), so two partitions' files never share a key. Partition 0 keeps the
// names, checkpoint and dedup index of a single-worker run: going from 1 to N workers and back
// keeps every data directory working.
// The one thing shared is the dedup window (dedup/shared-repeat-window.ts): the copies of one
// messageId may land in different partitions.

import type { QueueConsumer, QueueSource } from '@sluice/queue';
import { assembleForwarder, type ForwarderSetup, openDedupIndex } from './assemble-forwarder.js';
import { createRepeatWindow } from './dedup/repeat-window.js';
import { loadOnceOf, partitionRepeatWindow } from './dedup/shared-repeat-window.js';
import type { Forwarder } from './forwarder.js';
import { parseForwarderOptions } from './options.js';

/** The checkpoint (and consumer) name of log partition `logPartition`. */
export function logPartitionConsumerName(group: string, logPartition: number): string {
  return logPartition === 0 ? group : `${group}-w${logPartition}`;
}

export interface PartitionForwarders {
  forwarders: Forwarder[];
  /** Every forwarder's run, settled once all have ended. */
  done: Promise<void>;
  /** Uploads and acknowledges everything held, then closes consumers and the dedup index. */
  stop(): Promise<void>;
}

/** Starts one forwarder per log partition (`partitions[i]` is partition i), sharing dedup. */
export async function startPartitionForwarders(
  partitions: readonly QueueSource[],
  group: string,
  setup: ForwarderSetup,
): Promise<PartitionForwarders> {
  const options = parseForwarderOptions(setup.options);
  // The index of partition 0's name: the one a single-worker run kept.
  const index = await openDedupIndex(setup, group);
  const shared = createRepeatWindow(
    index,
    {
      windowMs: options.dedupWindowMs,
      slotMs: options.dedupSlotMs,
      filterBytes: options.dedupMemoryBytes,
    },
    setup.now ?? Date.now,
  );
  const loadOnce = loadOnceOf(shared);
  const consumers: QueueConsumer[] = [];
  const forwarders: Forwarder[] = [];
  try {
    for (const [logPartition, queue] of partitions.entries()) {
      const name = logPartitionConsumerName(group, logPartition);
      const consumer = await queue.consumer(name);
      consumers.push(consumer);
      const repeatWindow = partitionRepeatWindow(shared, logPartition, loadOnce);
      const assembled = await assembleForwarder(consumer, name, setup, {
        logPartition,
        repeatWindow,
      });
      forwarders.push(assembled.forwarder);
    }
  } catch (error) {
    for (const consumer of consumers) await consumer.close().catch(() => undefined);
    await index.close().catch(() => undefined);
    throw error;
  }
  const runs = forwarders.map((forwarder) => forwarder.run());
  const done = Promise.all(runs).then(() => undefined);
  // An unrecoverable error is reported through `done`, never an unhandled rejection.
  done.catch(() => undefined);
  let stopped: Promise<void> | undefined;
  return {
    forwarders,
    done,
    stop() {
      stopped ??= Promise.allSettled(forwarders.map((forwarder) => forwarder.stop()))
        .then(() => Promise.allSettled(consumers.map((consumer) => consumer.close())))
        .then(() => index.close());
      return stopped;
    },
  };
}
