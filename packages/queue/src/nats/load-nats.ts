// The NATS client is loaded when a NATS queue is opened or a stream erased, not with
// @sluice/queue: importing it costs ~53 ms of CPU and ~20 MB of RSS on Node 26 (BENCHMARKS.md,
// issue 18), which every process on the embedded log (the default) paid, and with
// `--workers N` every worker thread again.
import type { EraseStreamOptions, StreamErasureReport } from './erase-messages.js';
import type { NatsQueueOptions } from './nats-options.js';
import type { NatsQueue } from './nats-queue.js';

/** Opens a queue on a JetStream stream (nats-queue.ts), loading the NATS client first. */
export async function openNatsQueue(options: NatsQueueOptions): Promise<NatsQueue> {
  const { openNatsQueue: open } = await import('./nats-queue.js');
  return open(options);
}

/** Erases a subject's messages from a stream (erase-messages.ts), loading the client first. */
export async function eraseStreamMessages(
  options: EraseStreamOptions,
): Promise<StreamErasureReport> {
  const { eraseStreamMessages: erase } = await import('./erase-messages.js');
  return erase(options);
}
