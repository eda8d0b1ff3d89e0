// `tsx apps/forwarder/src/import/cli.ts --source ID [options] FILE...`: loads historical NDJSON
// or CSV files through the collector's validation into the store's events/ layout.

import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { integer, mebibytes } from '../bulk/cli-flags.js';
import { BULK_FLAGS, BULK_USAGE, storeFromFlags } from '../bulk/cli-store.js';
import { formatProgress, throttle } from '../bulk/progress-line.js';
import { gzipLevel6 } from '../node.js';
import { parseImportOptions } from './import-options.js';
import { type ImportProgress, importRecords } from './import-records.js';
import { type InputFile, openInputFile } from './input-file.js';

const USAGE = `usage: tsx apps/forwarder/src/import/cli.ts --source ID [options] FILE...

Validates every record as the collector does (invalid ones go to quarantine/ with the reason)
and writes <prefix>events/source=ID/dt=.../hh=.../<sha256 of FILE>-<line>.ndjson.gz, so importing
the same file again writes the same files.

  --source ID            the source the events are filed under (required)
  --format ndjson|csv    default: from the name (.ndjson, .jsonl, .csv, each optionally .gz)
  --prefix P             put events/ under P (default: none, next to the live files)
${BULK_USAGE}

Progress goes to stderr about once a second; one JSON result per file is printed to stdout.`;

/** Runs the command; resolves with the exit code. */
export async function runImportCli(
  argv: readonly string[],
  io: { out: (text: string) => void; err: (text: string) => void; now?: () => number },
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals: paths } = parsed;
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (values.source === undefined || paths.length === 0) {
    io.err(`give --source and at least one file\n\n${USAGE}`);
    return 2;
  }
  const format = values.format;
  if (format !== undefined && format !== 'ndjson' && format !== 'csv') {
    io.err(`--format must be ndjson or csv, got "${format}"`);
    return 2;
  }
  const now = io.now ?? Date.now;
  try {
    const { store, where } = storeFromFlags(values);
    // Checked before the first file is read: a typo should not cost a pass over a large file.
    const options = parseImportOptions({
      source: values.source,
      prefix: values.prefix,
      maxFileBytes: mebibytes(values['max-file-mb']),
      uploadConcurrency: integer(values.concurrency, '--concurrency'),
      progressEvery: 1_000,
    });
    for (const path of paths) {
      const input = await openInputFile(path, format);
      const started = now();
      const report = throttle<ImportProgress>(1_000, now, (p) =>
        io.err(`import ${path}: ${progressFigures(input, p, now() - started)}`),
      );
      const result = await importRecords(
        {
          store,
          compress: gzipLevel6,
          onProgress: (p) => report(p),
          onError: (error, during) =>
            io.err(`${during} failed, retrying: ${(error as Error).message}`),
        },
        { inputId: input.sha256, records: input.records() },
        options,
      );
      report(result, true);
      io.out(JSON.stringify({ file: path, store: where, ...result }));
    }
    return 0;
  } catch (error) {
    io.err(`import failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

function progressFigures(input: InputFile, p: ImportProgress, elapsedMs: number): string {
  const read = input.bytesRead();
  const ofFile = input.size === 0 ? 100 : (100 * read) / input.size;
  const figures = formatProgress({
    done: p.records,
    unit: 'records',
    bytes: read,
    files: p.files,
    elapsedMs,
  });
  return `${ofFile.toFixed(1)}% of the file, ${figures}, ${p.quarantined} quarantined`;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      source: { type: 'string' },
      format: { type: 'string' },
      ...BULK_FLAGS,
    },
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runImportCli(process.argv.slice(2), {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
  });
}
