import { integer, markdownTable, megabytes, percent, verdict } from '../format.js';
import { quantile } from '../stats.js';
import type { MemoryResults } from './memory-suite.js';

/** A peak RSS measured by another suite, shown next to the sustained run. */
export interface OtherPeak {
  what: string;
  bytes: number;
}

const flagsOf = (r: MemoryResults) =>
  r.nodeFlags.length > 0
    ? `node ${r.nodeFlags.join(' ')}, as \`sluice start\` runs it`
    : "node's defaults";

/** RSS over time in ten steps, to show whether it levels off or keeps growing. */
function curve(samples: readonly number[]): string {
  const steps = 10;
  return Array.from({ length: steps }, (_, i) => {
    const at = Math.min(samples.length - 1, Math.floor(((i + 1) * samples.length) / steps) - 1);
    return megabytes(samples[Math.max(0, at)] ?? Number.NaN, 0);
  }).join(' → ');
}

/** One row of what the RSS was made of at its sampled peak (memory-parts.ts). */
function partsRow(r: MemoryResults): string[] {
  const p = (name: string) => r.peakParts[name] ?? Number.NaN;
  const mb = (bytes: number) => megabytes(bytes, 0);
  const heap = p('heapTotal');
  const nativeRest = p('anonymous') - heap - p('arrayBuffers');
  return [
    flagsOf(r),
    mb(p('rss')),
    `${mb(heap)} (${mb(p('heapUsed'))} used)`,
    `${mb(p('new_spaceSize'))} / ${mb(p('old_spaceUsed'))} / ${mb(p('large_object_spaceUsed'))}`,
    mb(p('arrayBuffers')),
    mb(nativeRest),
    `${mb(p('lmdbMap'))} (${integer(r.dedupIds)} ids)`,
    mb(p('nodeBinary')),
    mb(p('otherFiles')),
  ];
}

/** The memory section of BENCHMARKS.md. */
export function memoryReport(
  results: { start: MemoryResults; nodeDefaults: MemoryResults },
  others: OtherPeak[],
  label: string,
): string {
  const { start, nodeDefaults } = results;
  const runs = [start, nodeDefaults];
  const rows = [
    ...runs.map((r) => [
      `collector + forwarder in one process, ${Math.round(r.seconds)} s of load, ${flagsOf(r)}`,
      `${integer(r.eventsPerSecond)} events/s`,
      megabytes(r.maxRssBytes, 0),
      verdict(r.maxRssBytes < 200e6),
    ]),
    ...others.map((o) => [o.what, '', megabytes(o.bytes, 0), verdict(o.bytes < 200e6)]),
  ];
  const inFiles = percent(start.ackedAtEndOfLoad / Math.max(1, start.appended));
  return `## Memory

${label}

The collector and the forwarder in one process, as \`pnpm start\` runs them (durable log with
fdatasync, local store, default rotation: 64 MiB / 120 s per file), under wrk at saturation
(${start.batch} events/request, ${start.connections} connections) for ${Math.round(start.seconds)} s, first with the node flags
\`sluice start\` relaunches with (${start.nodeFlags.join(' ')}), then with node's defaults:
${integer(start.requestsPerSecond)} req/s, ${integer(start.eventsPerSecond)} events/s taken,
${integer(start.errors)} errors (node's defaults: ${integer(nodeDefaults.eventsPerSecond)} events/s). When the load ended, ${inFiles} of the events were in files
(${integer(start.filesWritten)} files after the final flush). RSS sampled every 250 ms
peaked at ${megabytes(quantile(start.rssSamples, 1), 0)}; over the run, in tenths: ${curve(start.rssSamples)}
(node's defaults: ${curve(nodeDefaults.rssSamples)}). The table shows getrusage's peak over each process's life (final flush included).
The RSS grows with the events taken (the dedup index's pages, below), so compare peaks at
their events/s.

${markdownTable(['process', 'load', 'peak RSS', 'target < 200 MB'], rows)}

What the pipeline's RSS is made of at its highest sample (every 50 ms in the process:
\`process.memoryUsage()\`, \`v8.getHeapSpaceStatistics()\` and \`/proc/self/smaps\` mapping by
mapping). V8's heap: its young generation as committed, the old generation's and large objects'
live-or-not-yet-collected bytes. ArrayBuffers: read chunks, gzip staging and output, the dedup
filter. Native: the rest of the anonymous pages (malloc of zlib, libuv, LMDB's write thread,
V8's own tables). LMDB's map and the node binary are file pages, counted in the RSS while
mapped and touched; the map grows with the ids the index holds.

${markdownTable(
  [
    'node flags',
    'RSS',
    'V8 heap',
    'young committed / old used / large objects',
    'ArrayBuffers',
    'native',
    'LMDB map',
    'node binary',
    'other files',
  ],
  runs.map(partsRow),
)}
`;
}
