import type { Queue, QueueConsumer, QueueEntry, QueueMessage } from './queue.js';

/**
 * A queue held in process memory: the at-most-once mode. Fastest, and everything
 * not yet uploaded is lost when the process dies. Also runs where there is no disk.
 */
export function createMemoryQueue(): Queue {
  const entries: QueueEntry[] = [];
  const committed = new Map<string, number>();
  let wake: Array<() => void> = [];
  let closed = false;

  function notify(): void {
    const waiting = wake;
    wake = [];
    for (const resolve of waiting) resolve();
  }

  function openConsumer(name: string): QueueConsumer {
    let next = committed.get(name) ?? 0;
    const acked = new Set<number>();
    return {
      async read(max, waitMs) {
        if (next >= entries.length && waitMs > 0 && !closed) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, waitMs);
            wake.push(() => {
              clearTimeout(timer);
              resolve();
            });
          });
        }
        const batch = entries.slice(next, next + max);
        next += batch.length;
        return batch;
      },
      async ack(done) {
        for (const entry of done) acked.add(entry.position);
        let low = committed.get(name) ?? 0;
        while (acked.delete(low)) low++;
        committed.set(name, low);
      },
      async close() {},
    };
  }

  return {
    async append(messages: readonly QueueMessage[]) {
      if (closed) throw new Error('queue is closed');
      for (const message of messages) entries.push({ ...message, position: entries.length });
      notify();
    },
    async consumer(name) {
      return openConsumer(name);
    },
    async close() {
      closed = true;
      notify();
    },
  };
}
