// Fills a log queue with events exactly as the collector would have stored them: one batch of
// every event variant goes through the collector app in-process (validated, enriched), and
// its stored bodies are copied with new random messageIds (as the tag makes them) and times
// a millisecond apart (or `spacingMs` apart, to spread them over many hours).

import { randomUUID } from 'node:crypto';
import { createCollectorApp } from '@sluice/collector';
import { openLogQueue, type QueueMessage, type QueueProducer } from '@sluice/queue';
import { BENCH_HEADERS, EVENT_VARIANTS, makeBatchBody } from '../events/segment-event.js';
import { BENCH_COLLECTOR_CONFIG } from '../servers/bench-source.js';

const APPEND_CHUNK = 1_000;
const ISO_TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g;

/** What was preloaded: the NDJSON bytes the forwarder will read (one line per event). */
export interface Preloaded {
  events: number;
  ndjsonBytes: number;
}

/** Messages the collector makes of one batch of the benchmark's events. */
async function collectorMessages(): Promise<QueueMessage[]> {
  const taken: QueueMessage[] = [];
  const capture: QueueProducer = {
    append: async (messages) => {
      taken.push(...messages);
    },
    close: async () => {},
  };
  const app = createCollectorApp({ queue: capture, config: BENCH_COLLECTOR_CONFIG });
  const response = await app.request('/v1/batch', {
    method: 'POST',
    headers: BENCH_HEADERS,
    body: makeBatchBody('template', EVENT_VARIANTS),
  });
  if (response.status !== 200 || taken.length !== EVENT_VARIANTS) {
    throw new Error(`the collector refused the template batch: ${await response.text()}`);
  }
  return taken;
}

/**
 * Appends `events` messages to a new log in `dir` (without fdatasync: setup, not measured), the
 * last one now and each `spacingMs` after the one before.
 */
export async function preloadQueue(dir: string, events: number, spacingMs = 1) {
  const templates = (await collectorMessages()).map((m) => ({
    message: m,
    text: Buffer.from(m.body).toString('utf8'),
  }));
  const firstTime = Date.now() - events * spacingMs;
  const queue = await openLogQueue({ dir, durability: 'none' });
  let ndjsonBytes = 0;
  try {
    for (let start = 0; start < events; start += APPEND_CHUNK) {
      const chunk: QueueMessage[] = [];
      for (let i = start; i < Math.min(events, start + APPEND_CHUNK); i++) {
        const template = templates[i % templates.length]!;
        const id = randomUUID();
        const time = firstTime + Math.round(i * spacingMs);
        const iso = new Date(time).toISOString();
        const text = template.text.replace(template.message.id, id).replace(ISO_TIME, iso);
        const body = Buffer.from(text);
        ndjsonBytes += body.length + 1;
        chunk.push({ ...template.message, id, time, body });
      }
      await queue.append(chunk);
    }
  } finally {
    await queue.close();
  }
  return { events, ndjsonBytes } satisfies Preloaded;
}
