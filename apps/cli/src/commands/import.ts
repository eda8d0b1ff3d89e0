// `sluice import`: loads NDJSON or CSV exports through the collector's validation into the store.
import {
  FILE_FORMATS,
  gzipLevel6,
  type ImportFormat,
  importRecords,
  openInputFile,
  parseImportOptions,
} from '@sluice/forwarder';
import type { FileFormatName } from '@sluice/layout';
import { type Command, Option } from 'commander';
import { bulkWriteOptions, formatOption, withOptions } from '../lib/options.js';
import { count, megabytes, withProgressBar } from '../lib/progress.js';
import { addStoreOptions, openStore, type StoreOptions } from '../lib/store-options.js';
import { mebibytes } from './replay.js';

interface ImportCommandOptions extends StoreOptions {
  source: string;
  format?: ImportFormat;
  /** What the files written hold (`--format` names the input's). */
  outputFormat?: FileFormatName;
  prefix?: string;
  maxFileMb?: number;
  concurrency?: number;
}

export function addImportCommand(program: Command): void {
  const command = withOptions(
    program
      .command('import')
      .description(
        'load NDJSON or CSV files (optionally .gz) into events/, invalid records into quarantine/',
      )
      .argument('<files...>', '.ndjson, .jsonl or .csv files, each optionally .gz'),
    new Option('--source <id>', 'the source the events are filed under').makeOptionMandatory(),
    new Option('--format <format>', 'default: from the file name').choices(['ndjson', 'csv']),
    formatOption('--output-format'),
    new Option('--prefix <prefix>', 'put events/ below this (default: beside the live files)'),
    ...bulkWriteOptions(),
  );
  addStoreOptions(command)
    .addHelpText(
      'after',
      `
Every record is validated as the collector does. Files are named by the input's SHA-256, so
importing the same file again writes the same files. A progress bar per file goes to stderr;
one JSON result per file to stdout.`,
    )
    .action(async (paths: string[], options: ImportCommandOptions) => {
      const { store, where } = openStore(options);
      // Checked before the first file is read: a typo should not cost a pass over a large file.
      const importOptions = parseImportOptions({
        source: options.source,
        prefix: options.prefix,
        maxFileBytes: mebibytes(options.maxFileMb),
        uploadConcurrency: options.concurrency,
        progressEvery: 1_000,
      });
      for (const path of paths) {
        const input = await openInputFile(path, options.format);
        const result = await withProgressBar(`import ${path}`, 'bytes', input.size, async (bar) => {
          const imported = await importRecords(
            {
              store,
              compress: gzipLevel6,
              ...(options.outputFormat ? { format: FILE_FORMATS[options.outputFormat] } : {}),
              onProgress: (p) =>
                bar.update(
                  input.bytesRead(),
                  `${count(p.records)} records, ${count(p.quarantined)} quarantined, ${count(p.files)} files`,
                ),
              onError: (error, during) =>
                process.stderr.write(`\n${during} failed, retrying: ${(error as Error).message}\n`),
            },
            { inputId: input.sha256, records: input.records() },
            importOptions,
          );
          bar.update(input.size, `${megabytes(input.size)}`);
          bar.stop(
            `${count(imported.events)} events, ${count(imported.quarantined)} quarantined, ${count(imported.files)} files`,
          );
          return imported;
        });
        process.stdout.write(`${JSON.stringify({ file: path, store: where, ...result })}\n`);
      }
    });
}
