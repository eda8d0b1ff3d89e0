import { type QueueMessage, RetryAbortedError, retryWithBackoff } from '@sluice/queue';

export interface AppendRetry {
  initialMs: number;
  maxMs: number;
  /** Aborted when the bridge stops: the loop gives up and the message stays unacknowledged. */
  signal: AbortSignal;
  /** Told about each refusal before the wait (queue full, queue unavailable). */
  onFailure?: (error: unknown, attempt: number, delayMs: number) => void;
  /** The jitter's source (see retryWithBackoff); default Math.random. */
  random?: () => number;
}

/**
 * Appends until the queue holds the messages: true then, false when `signal` aborted first.
 * A refusal is never the device's fault, so it is retried with capped, jittered exponential
 * backoff while the broker keeps the message unacknowledged; a retried append is safe because
 * the message keeps its id and the forwarder stores each id once.
 */
export async function appendUntilQueued(
  append: (messages: readonly QueueMessage[]) => Promise<void>,
  messages: readonly QueueMessage[],
  retry: AppendRetry,
): Promise<boolean> {
  try {
    await retryWithBackoff(() => append(messages), retry);
    return true;
  } catch (error) {
    if (error instanceof RetryAbortedError) return false;
    throw error;
  }
}
