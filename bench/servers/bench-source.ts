import type { CollectorConfigInput } from '@sluice/collector';
import { BENCH_SOURCE, BENCH_WRITE_KEY } from '../events/segment-event.js';

/**
 * The benchmark's collector config: one source, the benchmark's write key, any origin. All load
 * comes from 127.0.0.1, so the per-IP rate limit (a wall against a flood from one address)
 * is off: with it the benchmark would measure 429 answers.
 */
export const BENCH_COLLECTOR_CONFIG: CollectorConfigInput = {
  limits: { ipRate: null, ipEventRate: null, ipByteRate: null },
  sources: [{ id: BENCH_SOURCE, writeKeys: [BENCH_WRITE_KEY], allowedOrigins: ['*'] }],
};
