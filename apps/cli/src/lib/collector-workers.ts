// `--workers N`: N collectors in worker threads of this process, sharing one port with
// SO_REUSEPORT (the kernel spreads connections among them), so parsing and validating use
// every core. Worker i appends to partition i of the embedded log, written by this (main)
// thread: the log's writer and its consumer (the forwarder, in `sluice start`) must live in one
// thread, and one process owns each partition's directory (its lock). Why partitions at all:
// each has its own group commit, file and fsync stream, and a worker never waits on another's.
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { reusePortSupport } from '@sluice/collector';
import type { QueueMessage, QueueProducer } from '@sluice/queue';
import type { FromWorker, ToWorker, WorkerStart } from './worker-protocol.js';

export interface CollectorWorkers {
  url: string;
  /** Closes every worker's server (waiting for open requests), then ends the threads. */
  close(): Promise<void>;
}

/** Starts `workers` collector threads; worker i appends to `queues[i]` (or `queues[0]`). */
export async function startCollectorWorkers(
  start: Omit<WorkerStart, 'index'> & { workers: number; queues: readonly QueueProducer[] },
): Promise<CollectorWorkers> {
  const unsupported = reusePortSupport();
  if (unsupported) throw new Error(`--workers ${start.workers}: ${unsupported}`);
  const threads: Worker[] = [];
  const stopAll = () => Promise.all(threads.map((thread) => thread.terminate()));
  try {
    // With port 0, worker 0 first: it picks the port the others then share. With a port
    // given, all at once (a thread takes about as long to start as the whole process).
    const first = startThread(threads, { ...start, index: 0 }, start.queues);
    const port = start.port === 0 ? Number(new URL(await first).port) : start.port;
    const rest = [first];
    for (let index = 1; index < start.workers; index++) {
      rest.push(startThread(threads, { ...start, index, port }, start.queues));
    }
    const [url] = await Promise.all(rest);
    return { url: url as string, close: () => closeThreads(threads) };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function startThread(
  threads: Worker[],
  workerStart: WorkerStart,
  queues: readonly QueueProducer[],
): Promise<string> {
  const { index } = workerStart;
  const queue = queues[index] ?? (queues[0] as QueueProducer);
  const here = fileURLToPath(import.meta.url);
  const thread = new Worker(new URL(`./collector-thread${extname(here)}`, import.meta.url), {
    workerData: { ...workerStart, queues: undefined },
  });
  threads.push(thread);
  const reply = (message: ToWorker) => thread.postMessage(message);
  return new Promise((resolve, reject) => {
    thread.once('error', reject);
    thread.once('exit', (code) => reject(new Error(`collector worker ${index} exited (${code})`)));
    thread.on('message', (message: FromWorker) => {
      if (message.type === 'listening') resolve(message.url);
      else if (message.type === 'failed') reject(new Error(message.message));
      else if (message.type === 'append') append(queue, message.messages, message.id, reply);
    });
  });
}

function append(
  queue: QueueProducer,
  messages: QueueMessage[],
  id: number,
  reply: (message: ToWorker) => void,
): void {
  queue.append(messages).then(
    () => reply({ type: 'appended', id }),
    (error: unknown) => {
      const {
        name = 'Error',
        message = String(error),
        retryAfterSeconds,
      } = error as {
        name?: string;
        message?: string;
        retryAfterSeconds?: number;
      };
      reply({ type: 'appended', id, error: { name, message, retryAfterSeconds } });
    },
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
