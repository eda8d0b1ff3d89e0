// `node --import tsx bench/request-costs.ts`: what the collector's own steps cost for one
// request of the benchmark's bodies, in one process without HTTP, to read next to the
// collector's per-request time in the throughput table (1 / req/s at one busy core).
import { ingestBatch } from '../apps/collector/src/ingest.js';
import { decodeUtf8, parseJsonObject } from '../apps/collector/src/request-body.js';
import { createUserAgentCache } from '../apps/collector/src/user-agent.js';
import { encodeFrames } from '../packages/queue/src/log/record-codec.js';
import { BENCH_USER_AGENT, makeBatchBody } from './events/segment-event.js';

const encoder = new TextEncoder();
const describeUserAgent = createUserAgentCache();

/** Mean µs of `step` over enough rounds for about 0.5 s, after a warm-up. */
function microseconds(step: () => unknown): number {
  for (let i = 0; i < 2_000; i++) step();
  let rounds = 0;
  const started = performance.now();
  while (performance.now() - started < 500) {
    for (let i = 0; i < 200; i++) step();
    rounds += 200;
  }
  return ((performance.now() - started) * 1_000) / rounds;
}

console.log(
  '| events/request | body | JSON.parse | validate + enrich + serialize (ingestBatch) | JSON.stringify of the parsed events | log frames |',
);
console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
for (const size of [1, 10, 50]) {
  const text = makeBatchBody('cost', size);
  const bytes = encoder.encode(text);
  const parsed = parseJsonObject(text) as { batch: Record<string, unknown>[] };
  let n = 0;
  const ingest = () =>
    ingestBatch(parseJsonObject(text) as never, {
      sourceId: 'bench',
      receivedAtMs: Date.now(),
      newId: () => `q-${n++}`,
      userAgent: BENCH_USER_AGENT,
      ip: '203.0.113.0',
      describeUserAgent,
    });
  const result = ingest();
  const parse = microseconds(() => parseJsonObject(decodeUtf8(bytes)));
  const total = microseconds(ingest);
  const stringify = microseconds(() => parsed.batch.map((event) => JSON.stringify(event)));
  const frames = microseconds(() => encodeFrames(result.messages));
  console.log(
    `| ${size} | ${bytes.length.toLocaleString('en-US')} B | ${parse.toFixed(1)} µs | ${(total - parse).toFixed(1)} µs | ${stringify.toFixed(1)} µs | ${frames.toFixed(1)} µs |`,
  );
}
