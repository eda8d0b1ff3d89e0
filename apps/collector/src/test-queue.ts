// The memory queue most collector tests run against (a fixture, not the package's API).
import { createMemoryQueue, type Queue, type QueueEntry } from '@sluice/queue';
import { afterEach, beforeEach } from 'vitest';
import { readQueue } from './test-support.js';

/**
 * The test's memory queue, set by `memoryQueuePerTest()`. A live ESM binding: each read sees
 * the queue of the running test (vitest gives every test file its own copy of this module).
 */
export let queue: Queue;

/** Gives each test of the calling file a fresh memory queue in `queue`, closed after it. */
export function memoryQueuePerTest(): void {
  beforeEach(() => {
    queue = createMemoryQueue();
  });
  afterEach(() => queue.close());
}

/** Everything the running test's collector appended to `queue` so far. */
export const queued = (): Promise<QueueEntry[]> => readQueue(queue);
