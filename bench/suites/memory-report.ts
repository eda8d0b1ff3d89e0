import { integer, markdownTable, megabytes, percent, verdict } from '../format.js';
import { quantile } from '../stats.js';
import type { MemoryResults } from './memory-suite.js';

/** A peak RSS measured by another suite, shown next to the sustained run. */
export interface OtherPeak {
  what: string;
  bytes: number;
}

/** The memory section of BENCHMARKS.md. */
export function memoryReport(results: MemoryResults, others: OtherPeak[], label: string): string {
  const sampledPeak = quantile(results.rssSamples, 1);
  // RSS over time in ten steps, to show whether it levels off or keeps growing.
  const steps = 10;
  const curve = Array.from({ length: steps }, (_, i) => {
    const at = Math.min(
      results.rssSamples.length - 1,
      Math.floor(((i + 1) * results.rssSamples.length) / steps) - 1,
    );
    return megabytes(results.rssSamples[Math.max(0, at)] ?? Number.NaN, 0);
  }).join(' → ');
  const rows = [
    [
      `collector + forwarder in one process, ${Math.round(results.seconds)} s of load`,
      megabytes(results.maxRssBytes, 0),
      verdict(results.maxRssBytes < 200e6),
    ],
    ...others.map((o) => [o.what, megabytes(o.bytes, 0), verdict(o.bytes < 200e6)]),
  ];
  const inFiles = percent(results.ackedAtEndOfLoad / Math.max(1, results.appended));
  return `## Memory

${label}

The collector and the forwarder in one process, as \`pnpm start\` runs them (durable log with
fdatasync, local store, default rotation: 64 MiB / 120 s per file), under wrk at saturation
(${results.batch} events/request, ${results.connections} connections) for ${Math.round(results.seconds)} s:
${integer(results.requestsPerSecond)} req/s, ${integer(results.eventsPerSecond)} events/s taken,
${integer(results.errors)} errors. When the load ended, ${inFiles} of the events were in files
(${integer(results.filesWritten)} files after the final flush). RSS sampled every 250 ms
peaked at ${megabytes(sampledPeak, 0)}; over the run, in tenths: ${curve}. The table shows
getrusage's peak over each process's life (final flush included).

${markdownTable(['process', 'peak RSS', 'target < 200 MB'], rows)}
`;
}
