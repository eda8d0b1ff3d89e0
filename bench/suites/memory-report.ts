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

Where the forwarder's peak goes (measured 2026-12-02, issue 18; the forwarder table shows the
parts at each drain's peak). About 64 MB are the node binary's own pages (Node 26), whatever runs.
V8's heap is the largest part the forwarder decides on: about 130 MB at the drain's peak, of which
a heap snapshot finds about 30 MB live (the open file's messageIds, code); the young generation
alone is 64 MB, because reading allocates several objects per event (entry, id string, a Buffer
view of the payload and one of the body, the frame's parse result: packages/queue) and the ids
of an open file outlive scavenges, so V8 grows it to its maximum. \`--optimize-for-size\` keeps
the heap near 50 MB (the comparison row, at 30–40 % fewer events per CPU-second). ArrayBuffers
are about 40 MB: read chunks that entries still point into, gzip staging (a 4 MiB backlog and
16 spare pieces), gzip's output of each open file (at most \`maxBufferedBytes\` / the ratio:
20 MB at 13 ×, 5 MB per 64 MiB file here, so spilling it to a file would not change the
peak) and the dedup filter, which now starts at 1 MiB and doubles as ids come (allocated whole
at 32 MiB it was all resident after 150,000 ids: 55 MB more). LMDB's memory map is file pages
counted in RSS: 15 MB for the drain's 150,000 ids since the index reserves its map at open
(lmdb-js kept each outgrown map: 30 MB), and it grows with the ids stored, about 2.75 × the live
tree (76 B an id of leaves: each record transaction rewrites most leaves, the freed pages come
back two transactions later): 135 MB after 750,000 ids. In the 60 s run above, 1.1–1.3 M ids
are stored: by the same ratio about 200 MB of index pages alone. Since 2026-12-03 the index keys
are packed (a UUID messageId in 16 bytes instead of 36 characters: about 130 B of pages an id
at 200,000 ids, down from 210), which slows that growth but does not bound it. The pipeline's
200 MB target needs an index not mapped into the process, or one sized to the window.
`;
}
