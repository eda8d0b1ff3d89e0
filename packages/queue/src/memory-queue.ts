import type { Queue, QueueConsumer, QueueEntry, QueueMessage } from './queue.js';

/**
 * A queue held in process memory: the at-most-once mode. Fastest, and everything
 * not yet uploaded is lost when the process dies. Also runs where there is no disk.
 *
 * Entries are held until every consumer opened so far has acknowledged them (with no consumer
 * yet, all are kept for the first one); a consumer opened later starts at the oldest entry held.
 */
export function createMemoryQueue(): Queue {
  // entries[i] is at position first + i.
  let entries: QueueEntry[] = [];
  let first = 0;
  const committed = new Map<string, number>();
  let wake: Array<() => void> = [];
  let closed = false;

  const end = () => first + entries.length;

  function notify(): void {
    const waiting = wake;
    wake = [];
    for (const resolve of waiting) resolve();
  }

  /** Drops the entries every consumer has acknowledged. */
  function dropAcknowledged(): void {
    let low = Number.POSITIVE_INFINITY;
    for (const position of committed.values()) low = Math.min(low, position);
    const count = Math.min(low, end()) - first;
    if (count <= 0) return;
    entries = count === entries.length ? [] : entries.slice(count);
    first += count;
  }

  function openConsumer(name: string): QueueConsumer {
    let next = Math.max(committed.get(name) ?? first, first);
    // From now on it holds back what it has not acknowledged.
    committed.set(name, next);
    const acked = new Set<number>();
    return {
      async read(max, waitMs) {
        if (next >= end() && waitMs > 0 && !closed) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, waitMs);
            wake.push(() => {
              clearTimeout(timer);
              resolve();
            });
          });
        }
        const batch = entries.slice(next - first, next - first + max);
        next += batch.length;
        return batch;
      },
      async ack(done) {
        for (const entry of done) acked.add(entry.position);
        let low = committed.get(name) ?? 0;
        while (acked.delete(low)) low++;
        committed.set(name, low);
        dropAcknowledged();
      },
      async close() {},
    };
  }

  return {
    async append(messages: readonly QueueMessage[]) {
      if (closed) throw new Error('queue is closed');
      for (const { id, source, time, kind, body } of messages) {
        entries.push({ id, source, time, kind, body, position: end() });
      }
      notify();
    },
    async consumer(name) {
      if (closed) throw new Error('queue is closed');
      return openConsumer(name);
    },
    depth: () => entries.length,
    async close() {
      closed = true;
      notify();
    },
  };
}
