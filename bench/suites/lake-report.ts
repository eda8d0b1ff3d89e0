import { decimal, duration, integer, markdownTable, megabytes, verdict } from '../format.js';
import { median } from '../stats.js';
import { LAKE_FORMATS, type LakeFormat, type LakeResults } from './lake-suite.js';

const LABELS: Record<LakeFormat, string> = {
  'ndjson-gzip': 'gzip NDJSON (`.ndjson.gz`, the default)',
  parquet: 'zstd Parquet (`.parquet`)',
};

/** The lake section of BENCHMARKS.md (issue #17's benchmarks). */
export function lakeReport(
  results: LakeResults,
  label: string,
  profiles: string,
  /** The machine and its load during the suite, as a Markdown list (run.ts). */
  machine: string,
): string {
  const { preloaded, drains, queries } = results;
  const mbIn = preloaded.ndjsonBytes / 1e6;
  const drainOf = (format: LakeFormat) => drains.find((d) => d.format === format);
  const totalBytes = (format: LakeFormat) =>
    (drainOf(format)?.fileSizes ?? []).reduce((sum, size) => sum + size, 0);
  const perCpuSecond = (format: LakeFormat) => {
    const drain = drainOf(format);
    return drain ? mbIn / (drain.cpuMs / 1000) : Number.NaN;
  };
  const sizeRatio = totalBytes('ndjson-gzip') / totalBytes('parquet');
  const speedups = queries.map((q) => median(q.ms['ndjson-gzip']) / median(q.ms.parquet));
  const parquetRate = perCpuSecond('parquet');

  const sizeRows = LAKE_FORMATS.map((format) => {
    const sizes = [...(drainOf(format)?.fileSizes ?? [])].sort((a, b) => a - b);
    return [
      LABELS[format],
      megabytes(totalBytes(format)),
      `${decimal(totalBytes(format) / preloaded.events)} B`,
      `${decimal(preloaded.ndjsonBytes / totalBytes(format))} ×`,
      String(sizes.length),
      sizes.length > 0 ? `${megabytes(sizes[0]!, 2)} – ${megabytes(sizes.at(-1)!, 2)}` : '–',
    ];
  });
  const drainRows = drains.map((d) => [
    LABELS[d.format],
    duration(d.elapsedMs),
    `${decimal(mbIn / (d.elapsedMs / 1000))} MB/s`,
    `${decimal(d.cpuMs / 1000, 2)} s`,
    `${decimal(mbIn / (d.cpuMs / 1000))} MB/s`,
    megabytes(d.maxRssBytes, 0),
  ]);
  const queryRows = queries.map((q, i) => [
    q.query,
    ...LAKE_FORMATS.map((f) => duration(median(q.ms[f]))),
    `${decimal(speedups[i]!)} ×`,
    String(q.rows.parquet),
  ]);

  return `## Lake formats: gzip NDJSON and zstd Parquet

${label}

${machine}

The machine is shared with other sessions' builds and tests (load average above), so the times
can be long; the formats run in turns in the same minutes, so compare them by their ratios.

${integer(preloaded.events)} of the benchmark's events (${megabytes(preloaded.ndjsonBytes)} of NDJSON
as the collector stores them, each with its own messageId) spread evenly over ${results.hours} hours,
so the store has one \`source=bench/dt=…/hh=…\` folder an hour. The forwarder drains the same log
twice, in its own process with its default options, LMDB dedup index and node flags (those of
\`sluice forwarder\`), once with
\`format: 'ndjson-gzip'\` and once with \`format: 'parquet'\`: the files are the forwarder's own.
Then DuckDB (\`@duckdb/node-api\`, in the harness's process, all cores) runs each query over
each store with Hive partitions: one untimed run each, then ${results.rounds} rounds in turns; the
median is shown. Both formats must give the same rows.

### Size

${markdownTable(['format', 'stored', 'per event', 'vs NDJSON', 'files', 'file sizes'], sizeRows)}

### DuckDB

${markdownTable(['query', ...LAKE_FORMATS.map((f) => LABELS[f]), 'Parquet faster by', 'rows'], queryRows)}

### Forwarder writing each format

${markdownTable(
  ['format', 'time', 'NDJSON in', 'CPU time', 'NDJSON per CPU-second', 'peak RSS'],
  drainRows,
)}

### Targets (issue #17)

${markdownTable(
  ['target', 'measured', ''],
  [
    ['Parquet ≥ 3× smaller than gzip NDJSON', `${decimal(sizeRatio)} ×`, verdict(sizeRatio >= 3)],
    ...queries.map((q, i) => [
      `Parquet ≥ 10× faster to query: ${q.query}`,
      `${decimal(speedups[i]!)} ×`,
      verdict(speedups[i]! >= 10),
    ]),
    [
      'forwarder writing Parquet ≥ 50 MB/s of NDJSON in per CPU-second',
      `${decimal(parquetRate)} MB/s (gzip: ${decimal(perCpuSecond('ndjson-gzip'))} MB/s)`,
      verdict(parquetRate >= 50),
    ],
  ],
)}
${profiles}`;
}
