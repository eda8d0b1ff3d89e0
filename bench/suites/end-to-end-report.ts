import { duration, integer, markdownTable, megabytes } from '../format.js';
import { quantile } from '../stats.js';
import type { EndToEndResults } from './end-to-end-suite.js';

/** The end-to-end section of BENCHMARKS.md. */
export function endToEndReport(results: EndToEndResults, label: string): string {
  const rows = results.results.map((r) => [
    r.setting.name,
    Object.entries(r.setting.options)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || 'forwarder defaults (maxFileAgeMs 120000, readWaitMs 1000)',
    integer(r.sent),
    integer(r.latenciesMs.length),
    duration(quantile(r.latenciesMs, 0.5)),
    duration(quantile(r.latenciesMs, 0.99)),
    duration(quantile(r.latenciesMs, 1)),
    integer(r.files),
    megabytes(r.maxRssBytes, 0),
  ]);
  const defaultAge = results.results[0]?.setting.maxFileAgeMs ?? 0;
  const cycleNote =
    results.sendMs < defaultAge
      ? ` The sending
window fits in one ${defaultAge / 1000} s rotation cycle of the default setting, so its latencies
spread over that cycle: p50 is about half the age, p99 close to all of it.`
      : '';
  return `## End to end

${label}

Headless Chromium (Debian's) opens a page on its own origin that loads the tag from the
collector and tracks ${results.eventsPerSecond} events/s for ${results.sendMs / 1000} s; the
tag batches them (20 events or 2 s) and hands each batch to \`sendBeacon\`. The collector and
the forwarder run in one process as \`pnpm start\` runs them (durable log with fdatasync, local
store). Latency runs from the \`sendBeacon\` call (noted by a wrapper the page gets before its
own scripts) to the poll (every ${results.pollMs} ms) that first finds the messageId in a
finished file. Both settings run at once, each with its own page and pipeline.${cycleNote}

${markdownTable(
  [
    'rotation',
    'forwarder options',
    'events sent',
    'found in files',
    'p50',
    'p99',
    'max',
    'files',
    'peak RSS',
  ],
  rows,
)}
`;
}
