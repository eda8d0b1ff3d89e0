// Helpers of the scale-out tests: a load of uniquely identified events sent like the tag
// sends them (retrying a failed batch with the same messageIds), forwarder processes that
// can be killed by pid, and a count of what the store holds per messageId.

import { createInterface } from 'node:readline';
import type { ObjectStore } from '@sluice/store';
import { SLUICE_FROM_SOURCE } from './cli-process.js';
import { spawnEntry } from './entry-child.js';
import { readStoredEvents } from './read-store.js';

export const WRITE_KEY = 'scale-key';
export const collectorConfig = {
  sources: [{ id: 'scale', writeKeys: [WRITE_KEY], allowedOrigins: ['*'] }],
};

export interface LoadResult {
  /** messageIds of events in a batch the collector answered 200 for. */
  acked: Set<string>;
  /** Batches that failed at least once (network error or 5xx) and were sent again. */
  retriedBatches: number;
  /** Batches given up after `giveUpMs` of failures (their events are not acknowledged). */
  abandonedBatches: number;
}

/**
 * Sends `total` events in batches to the collectors (round robin), `concurrency` at a time.
 * A failed batch is sent again with the same messageIds, as the tag does, for up to
 * `giveUpMs`. `onProgress` sees the count acknowledged so far after each batch.
 */
export async function sendLoad(options: {
  urls: () => readonly string[];
  total: number;
  batchSize?: number;
  concurrency?: number;
  giveUpMs?: number;
  idPrefix?: string;
  onProgress?: (acked: number) => void | Promise<void>;
}): Promise<LoadResult> {
  const batchSize = options.batchSize ?? 20;
  const result: LoadResult = { acked: new Set(), retriedBatches: 0, abandonedBatches: 0 };
  const prefix = options.idPrefix ?? 'ev';
  let next = 0;
  let sent = 0;
  async function worker(): Promise<void> {
    while (next < options.total) {
      const first = next;
      next = Math.min(options.total, next + batchSize);
      const ids = Array.from({ length: next - first }, (_, i) => `${prefix}-${first + i}`);
      const body = JSON.stringify({
        writeKey: WRITE_KEY,
        batch: ids.map((messageId, i) => ({
          type: 'track',
          event: 'Load Test',
          messageId,
          anonymousId: 'load',
          timestamp: new Date().toISOString(),
          properties: { n: first + i },
        })),
      });
      const deadline = Date.now() + (options.giveUpMs ?? 40_000);
      let failed = false;
      for (;;) {
        const urls = options.urls();
        const url = urls[sent++ % urls.length];
        const ok = await fetch(`${url}/v1/batch`, {
          method: 'POST',
          headers: { 'Content-Type': 'text/plain' },
          body,
          signal: AbortSignal.timeout(30_000),
        }).then(
          async (res) => {
            await res.arrayBuffer();
            return res.status === 200;
          },
          () => false,
        );
        if (ok) {
          for (const id of ids) result.acked.add(id);
          break;
        }
        failed = true;
        if (Date.now() > deadline) {
          result.abandonedBatches++;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      if (failed) result.retriedBatches++;
      await options.onProgress?.(result.acked.size);
    }
  }
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  return result;
}

/** How often each messageId is stored under `events/`. */
export async function storedCounts(store: ObjectStore): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const line of await readStoredEvents(store, 'events/')) {
    const id = String(line.event.messageId);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** Lost (acknowledged, not stored) and duplicated (stored more than once) counts. */
export function compare(acked: ReadonlySet<string>, counts: ReadonlyMap<string, number>) {
  let lost = 0;
  for (const id of acked) if (!counts.has(id)) lost++;
  let duplicated = 0;
  let stored = 0;
  for (const count of counts.values()) {
    stored += count;
    if (count > 1) duplicated += count - 1;
  }
  return { acked: acked.size, stored, unique: counts.size, lost, duplicated };
}

export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not done within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export interface ForwarderProcess {
  readonly pid: number;
  /** Lines (JSON) it printed: readiness and the shards it acquired, released or lost. */
  readonly events: Record<string, unknown>[];
  /** SIGKILL: buffered events are neither uploaded nor acknowledged. */
  kill(): Promise<void>;
  /** SIGTERM: uploads and acknowledges what it holds, gives its shards back. */
  stop(): Promise<void>;
}

/** Starts `sluice forwarder [args]` with `env` and waits until it is ready. */
export async function startForwarderProcess(
  env: Record<string, string>,
  args: readonly string[] = [],
): Promise<ForwarderProcess> {
  const { child, exited, stderr, kill, stop } = spawnEntry(SLUICE_FROM_SOURCE, env, [
    'forwarder',
    ...args,
  ]);
  const events: Record<string, unknown>[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const event = JSON.parse(line) as Record<string, unknown>;
        events.push(event);
        if (event.ready) resolve();
      } catch {
        // not one of its JSON lines
      }
    });
    void exited.then(() => reject(new Error(`forwarder exited before it was ready:\n${stderr()}`)));
  });
  await ready;
  return { pid: child.pid!, events, kill, stop };
}
