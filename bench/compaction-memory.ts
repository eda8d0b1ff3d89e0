// `pnpm exec node --import tsx bench/compaction-memory.ts [--quick]`: the peak RSS of
// compaction with its default target (256 MiB of NDJSON an output), merging ~300 MB of the
// benchmark's events in small files of one hour into right-sized ones, for gzip NDJSON and
// zstd Parquet; each encoded while its inputs are read (the codecs' `openWriter`, as
// `sluice compact` runs) and, for comparison, encoded from the whole output's NDJSON (the
// codecs without `openWriter`, as compaction did before). Each compaction runs in a process of
// its own; the inputs are written by the forwarder's own format code. Writes its table into
// BENCHMARKS.md between <!-- compaction-memory:begin --> and <!-- compaction-memory:end -->.

import { fork } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  compactPartition,
  DEFAULT_COMPACTED_FILE_BYTES,
  gzipLevel6,
  nodeFileCodecs,
  zstdParquet,
} from '@sluice/forwarder';
import { createFsStore } from '@sluice/store';
import { writeSection } from './benchmarks-file.js';
import { EVENT_VARIANTS, segmentEvent } from './events/segment-event.js';
import { decimal, duration, markdownTable, megabytes } from './format.js';
import { describeMachine } from './machine.js';

const PARTITION = 'events/source=bench/dt=2026-11-24/hh=10/';
const HOUR = Date.UTC(2026, 10, 24, 10);
const FORMATS = ['ndjson-gzip', 'parquet'] as const;
type Format = (typeof FORMATS)[number];
type Encoding = 'while reading' | 'whole output';

interface ChildResult {
  baselineRssBytes: number;
  maxRssBytes: number;
  elapsedMs: number;
  outputs: number[];
}

// In the child: compact the partition, report the peak RSS.
if (process.argv[2] === '--child') {
  const { root, encoding } = JSON.parse(process.argv[3]!) as { root: string; encoding: Encoding };
  const codecs =
    encoding === 'whole output'
      ? nodeFileCodecs.map(({ openWriter: _, ...codec }) => codec)
      : nodeFileCodecs;
  const baselineRssBytes = process.resourceUsage().maxRSS * 1024;
  const began = performance.now();
  const result = await compactPartition({ store: createFsStore({ root }), codecs }, PARTITION, {
    acknowledgedBelow: Number.MAX_SAFE_INTEGER,
  });
  const report: ChildResult = {
    baselineRssBytes,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    elapsedMs: performance.now() - began,
    outputs: result.outputs.map((output) => output.bytes),
  };
  process.send?.(report);
  process.exit(0);
}

const quick = process.argv.includes('--quick');
const INPUT_BYTES = quick ? 40e6 : 300e6;
const FILE_BYTES = 10e6;

/** Small files of one hour, as the forwarder writes them at a low rate, in `format`. */
async function writeInputs(
  root: string,
  format: Format,
): Promise<{ files: number; bytes: number }> {
  const store = createFsStore({ root });
  const encoder = new TextEncoder();
  let position = 0;
  let bytes = 0;
  let files = 0;
  while (bytes < INPUT_BYTES) {
    const lines: string[] = [];
    let fileBytes = 0;
    while (fileBytes < FILE_BYTES) {
      const n = position + lines.length;
      const time = new Date(HOUR + (n % 3_600_000)).toISOString();
      const line = segmentEvent(`m-${n}`, time, n % EVENT_VARIANTS);
      lines.push(line);
      fileBytes += line.length + 1;
    }
    const ndjson = encoder.encode(`${lines.join('\n')}\n`);
    const stem = `${PARTITION}${String(position).padStart(20, '0')}`;
    if (format === 'parquet') {
      const fileLines = lines.map((line, i) => ({
        body: encoder.encode(line),
        time: HOUR + ((position + i) % 3_600_000),
      }));
      await store.put(
        `${stem}.parquet`,
        await zstdParquet.encode({ lines: fileLines, toNdjson: () => ndjson }),
      );
    } else await store.put(`${stem}.ndjson.gz`, await gzipLevel6(ndjson));
    position += lines.length;
    bytes += ndjson.byteLength;
    files++;
  }
  return { files, bytes };
}

function compactInChild(root: string, encoding: Encoding): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = fork(
      fileURLToPath(import.meta.url),
      ['--child', JSON.stringify({ root, encoding })],
      {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    let result: ChildResult | undefined;
    child.on('message', (message) => {
      result = message as ChildResult;
    });
    child.on('exit', (code) =>
      result ? resolve(result) : reject(new Error(`compaction child exited with ${code}`)),
    );
  });
}

const rows: string[][] = [];
const startedAt = new Date();
const loadAtStart = loadavg();
for (const format of FORMATS) {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-compaction-'));
  try {
    // The same inputs for both encodings: each compacts its own copy.
    const inputs = await writeInputs(join(dir, 'inputs'), format);
    for (const encoding of ['while reading', 'whole output'] as const) {
      const root = join(dir, encoding.replace(' ', '-'));
      await cp(join(dir, 'inputs'), root, { recursive: true });
      const result = await compactInChild(root, encoding);
      console.log(format, encoding, inputs, result);
      rows.push([
        format,
        encoding,
        `${inputs.files} files, ${megabytes(inputs.bytes, 0)}`,
        result.outputs.map((bytes) => megabytes(bytes, 0)).join(' + '),
        duration(result.elapsedMs),
        megabytes(result.baselineRssBytes, 0),
        megabytes(result.maxRssBytes, 0),
      ]);
      await rm(root, { recursive: true, force: true });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await writeSection(
  'compaction-memory',
  `## Compaction memory (issue #17)

_\`pnpm exec node --import tsx bench/compaction-memory.ts${quick ? ' --quick' : ''}\`, ${startedAt.toISOString().slice(0, 10)}._

${describeMachine(startedAt)}
- load average (1 / 5 / 15 min): ${loadAtStart.map((l) => l.toFixed(2)).join(' / ')} at the start, ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ')} at the end (the machine is shared)

One hour's partition of ${megabytes(INPUT_BYTES, 0)} of the benchmark's events (NDJSON) in
files of ${megabytes(FILE_BYTES, 0)}, written by the forwarder's format code, compacted by
\`compactPartition\` with the default target (${decimal(DEFAULT_COMPACTED_FILE_BYTES / 2 ** 20, 0)} MiB of NDJSON an output) in a
process of its own. "while reading": the codecs encode each input as it is read (gzip as one
stream, Parquet a row group of 122,880 rows at a time), as \`sluice compact\` runs. "whole
output": the same codecs without that, so an output's NDJSON is joined first (how compaction
worked before). RSS before is the process after its imports; the peak is getrusage's maxrss.
The encoded output is still held whole for the store's \`put\` (no multipart upload).

${markdownTable(['format', 'encoding', 'inputs', 'outputs (NDJSON)', 'time', 'RSS before', 'peak RSS'], rows)}
`,
);
console.log('BENCHMARKS.md written (compaction-memory)');
