// How a collector thread of `--workers N` hands its accepted messages to the main thread: it
// encodes them as the log's frames itself (`encodeFrames`, unpooled) and transfers the
// ArrayBuffer (no structured clone of every message, no copy), so the main thread only checks
// the frames and writes them (`appendFrames`). A queue that takes messages, not frames (NATS,
// memory), gets them decoded. Frames that do not check out are refused whole: the thread's
// request answers 503 as for any queue failure, and the client retries.
import {
  decodeFrames,
  encodeFrames,
  QueueFullError,
  type QueueMessage,
  type QueueProducer,
} from '@sluice/queue';
import type { FromWorker, ToWorker } from './worker-protocol.js';

type FramesMessage = Extract<FromWorker, { type: 'frames' }>;
type AppendedMessage = Extract<ToWorker, { type: 'appended' }>;

export interface FramesProducer {
  /** The thread's queue: each append resolves once the main thread's queue holds it. */
  queue: QueueProducer;
  /** Settles the append the main thread answered. */
  settle(message: AppendedMessage): void;
}

/** The thread's side: appends posted as transferred frames through `post`. */
export function framesProducer(
  post: (message: FramesMessage, transfer: ArrayBuffer[]) => void,
): FramesProducer {
  const waiting = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let nextId = 0;
  return {
    queue: {
      append(messages: readonly QueueMessage[]) {
        let frames: Buffer;
        try {
          frames = encodeFrames(messages, false);
        } catch (error) {
          return Promise.reject(error);
        }
        const id = nextId++;
        // Unpooled, so the buffer is the whole ArrayBuffer and transferring it detaches nothing
        // else this thread holds.
        const bytes = frames.buffer as ArrayBuffer;
        return new Promise<void>((resolve, reject) => {
          waiting.set(id, { resolve, reject });
          post({ type: 'frames', id, frames: bytes, records: messages.length }, [bytes]);
        });
      },
      async close() {},
    },
    settle(message) {
      const held = waiting.get(message.id);
      waiting.delete(message.id);
      if (!message.error) held?.resolve();
      else if (message.error.name === 'QueueFullError') {
        held?.reject(new QueueFullError(message.error.message, message.error.retryAfterSeconds));
      } else held?.reject(new Error(message.error.message));
    },
  };
}

/** The main thread's side: appends a thread's frames to its queue and answers by id. */
export function appendFrames(
  queue: QueueProducer,
  message: FramesMessage,
  reply: (message: AppendedMessage) => void,
): void {
  const { id, records } = message;
  let appended: Promise<void>;
  try {
    const frames = Buffer.from(message.frames); // a view: the transferred bytes are ours now
    appended = queue.appendFrames
      ? queue.appendFrames(frames, records)
      : queue.append(decodeFrames(frames, records));
  } catch (error) {
    appended = Promise.reject(error);
  }
  appended.then(
    () => reply({ type: 'appended', id }),
    (error: unknown) => {
      const {
        name = 'Error',
        message = String(error),
        retryAfterSeconds,
      } = error as { name?: string; message?: string; retryAfterSeconds?: number };
      reply({ type: 'appended', id, error: { name, message, retryAfterSeconds } });
    },
  );
}
