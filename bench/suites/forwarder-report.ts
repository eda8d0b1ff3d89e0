import { FORWARDER_NODE_FLAGS } from '@sluice/forwarder';
import { decimal, duration, integer, markdownTable, megabytes, verdict } from '../format.js';
import type { ForwarderResults } from './forwarder-suite.js';

/** The forwarder section of BENCHMARKS.md. */
export function forwarderReport(results: ForwarderResults, label: string): string {
  const { preloaded, drains } = results;
  const mbIn = preloaded.ndjsonBytes / 1e6;
  const rows = drains.map((d) => {
    const seconds = d.elapsedMs / 1000;
    const sizes = [...d.fileSizes].sort((a, b) => a - b);
    return [
      d.target,
      duration(d.elapsedMs),
      integer(preloaded.events / seconds),
      `${decimal(mbIn / seconds)} MB/s`,
      `${decimal(d.cpuMs / 1000, 2)} s`,
      `${decimal(mbIn / (d.cpuMs / 1000))} MB/s`,
      `${decimal(preloaded.ndjsonBytes / d.compressedBytes)} ×`,
      String(sizes.length),
      sizes.length > 0
        ? `${megabytes(sizes[0]!, 2)} – ${megabytes(sizes[sizes.length - 1]!, 2)}`
        : '–',
      megabytes(d.maxRssBytes, 0),
    ];
  });
  const local = drains.find((d) => d.target === 'local directory');
  const perCore = local ? mbIn / (local.cpuMs / 1000) : Number.NaN;
  const ceiling = results.gzipCeiling;
  const share = perCore / ceiling.mbPerCpuSecond;
  const defaultDrains = drains.filter((d) => !d.target.includes('--'));
  const highestRss = Math.max(...defaultDrains.map((d) => d.maxRssBytes));
  const mb = (bytes: number) => megabytes(bytes, 0);
  const memoryRows = drains.map((d) => [
    d.target,
    mb(d.atPeak.rss),
    `${mb(d.atPeak.heapTotal)} (${mb(d.atPeak.heapUsed)} used)`,
    mb(d.atPeak.arrayBuffers),
    mb(d.atPeak.rssAnon),
    mb(d.atPeak.rssFile),
  ]);
  return `## Forwarder

${label}

A log preloaded with ${integer(preloaded.events)} events (${megabytes(preloaded.ndjsonBytes)} of
NDJSON: bodies the collector produced from the benchmark's event, each with its own messageId)
is drained by the forwarder in its own process with its default options (64 MiB / 120 s
rotation, gzip NDJSON compressed while lines arrive, 4 uploads at once, a dedup filter of at most 32 MiB that starts at 1 MiB)
and its dedup index in LMDB, in a node started with the flags \`sluice forwarder\` relaunches
with (\`${FORWARDER_NODE_FLAGS.join(' ')}\`, as \`sluice start\` does too); the time runs
from its start until every event is
in a file and acknowledged (the last file is cut by \`stop()\`). CPU time is the process's
own, all threads (gzip runs on libuv's pool), so "per CPU-second" is the per-core rate. The
S3 server is s3rver, a Node process on the same 2 cores.

${markdownTable(
  [
    'store',
    'time',
    'events/s',
    'NDJSON in',
    'CPU time',
    'NDJSON per CPU-second',
    'gzip ratio',
    'files',
    'file sizes (gzip)',
    'peak RSS',
  ],
  rows,
)}

Checkpoint saves during each drain (the checkpoint names each file's range before its put,
since the crash-loss fix, and moves the watermarks after it), timed around the store's put:
${drains.map((d) => `${d.target}: ${d.checkpointPuts} checkpoint puts for ${d.otherPuts} file puts, ${decimal(d.checkpointPutMs, 0)} ms in all (${decimal((100 * d.checkpointPutMs) / d.elapsedMs, 1)} % of the drain's time, though uploads overlap)`).join('; ')}.

The ceiling, in the same run: zlib's \`gzipSync\` at level ${ceiling.level} (the forwarder's) of the same
NDJSON, alone on one thread, takes in ${decimal(ceiling.mbPerCpuSecond)} MB per CPU-second
(${decimal(ceiling.ratio)} ×, the better of two runs in a process of its own, after the drains): the local
drain reaches ${decimal(100 * share, 0)} % of it. No NDJSON-gzip forwarder goes above it on this host.

What the peak RSS is made of, at the highest of samples every 20 ms (\`process.memoryUsage()\`
and \`/proc/self/status\`): V8's heap, ArrayBuffers (read chunks, gzip staging and output, the
dedup filter), the process's own pages (anonymous) and file pages (the node binary, about 64 MB,
and LMDB's memory map):

${markdownTable(['store', 'RSS', 'V8 heap', 'ArrayBuffers', 'anonymous', 'file pages'], memoryRows)}

### Targets (issue #7, issue #18)

${markdownTable(
  ['target', 'measured', ''],
  [
    [
      '≥ 50 MB/s of NDJSON in per core (local store)',
      `${decimal(perCore)} MB/s per CPU-second`,
      verdict(perCore >= 50),
    ],
    [
      '≥ 150 MB/s of NDJSON in per CPU-second (issue #18)',
      `${decimal(perCore)} MB/s, ${decimal(100 * share, 0)} % of gzip's ${decimal(ceiling.mbPerCpuSecond)}`,
      verdict(perCore >= 150),
    ],
    [
      'peak RSS < 200 MB for the drain, default flags (issue #18)',
      mb(highestRss),
      verdict(highestRss < 200e6),
    ],
  ],
)}
`;
}
