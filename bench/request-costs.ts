// The collector's own steps for one request of the benchmark's bodies, timed in one process
// without HTTP: to set next to the collector's time per request in the throughput table.
// `node --import tsx bench/request-costs.ts` prints them; `pnpm bench` puts them in BENCHMARKS.md.
import { pathToFileURL } from 'node:url';
import { parseJsonBody } from '../apps/collector/src/request-body.js';
import {
  type CompiledPlan,
  checkTrackingPlan,
  createUserAgentCache,
  ingestBatch,
} from '../packages/ingest/src/index.js';
import { encodeFrames } from '../packages/queue/src/log/record-codec.js';
import { BENCH_USER_AGENT, makeBatchBody } from './events/segment-event.js';

export interface RequestCost {
  batch: number;
  bodyBytes: number;
  /** UTF-8 decoding, the depth check and JSON.parse of the body, µs. */
  parseUs: number;
  /** ingestBatch: validation, enrichment and serializing each event, µs. */
  ingestUs: number;
  /** Encoding the log frames of the request's events, µs. */
  framesUs: number;
  /** Judging the request's events by a tracking plan (BENCH_PLAN), part of ingestBatch, µs. */
  planUs: number;
}

/**
 * A tracking plan the benchmark's events follow: each of their four names with a schema of
 * its seven properties (types, a pattern, bounds, required) and two required context fields.
 */
export const BENCH_PLAN = {
  context: { required: ['page.url', 'library.name'] },
  events: {
    track: Object.fromEntries(
      ['Product Viewed', 'Product Clicked', 'Product Added', 'Checkout Started'].map((name) => [
        name,
        {
          properties: {
            type: 'object',
            properties: {
              product_id: { type: 'string', pattern: '^[0-9a-f]{24}$' },
              sku: { type: 'string', maxLength: 16 },
              category: { type: 'string' },
              name: { type: 'string' },
              price: { type: 'number', minimum: 0 },
              currency: { enum: ['USD', 'EUR'] },
              position: { type: 'integer', minimum: 0 },
            },
            required: ['product_id', 'sku', 'price', 'currency'],
          },
        },
      ]),
    ),
  },
};

function benchPlan(): CompiledPlan {
  const check = checkTrackingPlan(BENCH_PLAN);
  if (!check.ok) throw new Error(`BENCH_PLAN is invalid: ${JSON.stringify(check.issues)}`);
  return check.compiled;
}

/**
 * µs of one `step`: the fastest of 7 rounds of about `ms` / 7 each, after a warm-up. The
 * fastest round is the one the machine's other work disturbed least.
 */
function microseconds(step: () => unknown, ms: number): number {
  for (let i = 0; i < 2_000; i++) step();
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 7; round++) {
    let steps = 0;
    const started = performance.now();
    while (performance.now() - started < ms / 7) {
      for (let i = 0; i < 50; i++) step();
      steps += 50;
    }
    best = Math.min(best, ((performance.now() - started) * 1_000) / steps);
  }
  return best;
}

export function measureRequestCosts(batches: readonly number[], ms = 1_000): RequestCost[] {
  const describeUserAgent = createUserAgentCache();
  const plan = benchPlan();
  let n = 0;
  return batches.map((batch) => {
    const bytes = new TextEncoder().encode(makeBatchBody('cost', batch));
    const ingest = (body: Record<string, unknown>) =>
      ingestBatch(body as never, {
        sourceId: 'bench',
        receivedAtMs: Date.now(),
        newId: () => `q-${n++}`,
        userAgent: BENCH_USER_AGENT,
        ip: '203.0.113.0',
        describeUserAgent,
      });
    const { messages } = ingest(parseJsonBody(bytes));
    // The plan judges the events as enriched: the stored ones. They must follow it, or the
    // figure would be of a violation's cost.
    const stored = messages.map((m) => JSON.parse(new TextDecoder().decode(m.body)));
    if (stored.some((event) => plan.check(event) !== undefined)) {
      throw new Error('the benchmark events break BENCH_PLAN');
    }
    const parseUs = microseconds(() => parseJsonBody(bytes), ms);
    const parseAndIngestUs = microseconds(() => ingest(parseJsonBody(bytes)), ms);
    const framesUs = microseconds(() => encodeFrames(messages), ms);
    const planUs = microseconds(() => {
      for (const event of stored) plan.check(event);
    }, ms);
    return {
      batch,
      bodyBytes: bytes.length,
      parseUs,
      ingestUs: parseAndIngestUs - parseUs,
      framesUs,
      planUs,
    };
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const cost of measureRequestCosts([1, 10, 50])) console.log(cost);
}
