import type { QueueMessage } from '@sluice/queue';

export interface AppendRetry {
  initialMs: number;
  maxMs: number;
  /** Aborted when the bridge stops: the loop gives up and the message stays unacknowledged. */
  signal: AbortSignal;
  /** Told about each refusal before the wait (queue full, queue unavailable). */
  onFailure?: (error: unknown, attempt: number, delayMs: number) => void;
}

/**
 * Appends until the queue holds the messages: true then, false when `signal` aborted first.
 * A refusal is never the device's fault, so it is retried with capped exponential backoff
 * while the broker keeps the message unacknowledged; a retried append is safe because the
 * message keeps its id and the forwarder stores each id once.
 */
export async function appendUntilQueued(
  append: (messages: readonly QueueMessage[]) => Promise<void>,
  messages: readonly QueueMessage[],
  retry: AppendRetry,
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    if (retry.signal.aborted) return false;
    try {
      await append(messages);
      return true;
    } catch (error) {
      const delayMs = Math.min(retry.maxMs, retry.initialMs * 2 ** Math.min(attempt - 1, 30));
      retry.onFailure?.(error, attempt, delayMs);
      await abortableSleep(delayMs, retry.signal);
    }
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
