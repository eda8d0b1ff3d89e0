// Options several commands share, each with the environment variable that can set it (the
// variables the earlier scripts read, so existing deployments keep working).
import { DEFAULT_FILE_AGE_MS } from '@sluice/forwarder';
import { FILE_FORMAT_NAMES, type FileFormatName } from '@sluice/layout';
import { type Command, InvalidArgumentError, Option } from 'commander';

/** A whole, non-negative number argument. */
export function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('give a whole number.');
  return Number(value);
}

/** A positive number argument (fractions allowed). */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError('give a number above 0.');
  return n;
}

/** An ISO-8601 time argument, in ms since the epoch. */
export function isoTime(value: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new InvalidArgumentError('give an ISO-8601 time.');
  return ms;
}

export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** How the bulk commands (replay, import) cut and upload files: `--max-file-mb`, `--concurrency`. */
export const bulkWriteOptions = () => [
  new Option('--max-file-mb <n>', 'cut files at this many MiB of NDJSON (default 64)').argParser(
    positiveNumber,
  ),
  new Option('--concurrency <n>', 'uploads at the same time (default 4)').argParser(wholeNumber),
];

/**
 * `--workers N`: collectors in N worker threads sharing the port (`startCollectorWorkers` of
 * @sluice/collector). The default stays 1 while the live view and the rate limits are per
 * thread (BENCHMARKS.md, workers-analysis: the gain is measured); then the available cores.
 */
export const workersOption = () =>
  new Option(
    '--workers <n>',
    'collectors sharing the port, one a core (Node >= 22.12); each appends to its own partition of the log (default 1: the live view and rate limits are per thread)',
  )
    .env('SLUICE_WORKERS')
    .argParser((value: string) => {
      const n = wholeNumber(value);
      if (n < 1 || n > 64) throw new InvalidArgumentError('give a number from 1 to 64.');
      return n;
    })
    .default(1);

export const portOption = (fallback: number) =>
  new Option('--port <n>', 'HTTP port (0: any free one)')
    .env('PORT')
    .default(fallback)
    .argParser(wholeNumber);

export const hostOption = () =>
  new Option('--host <address>', 'address to listen on (0.0.0.0: every interface)')
    .env('HOST')
    .default('127.0.0.1');

export const queueOption = (fallback: string) =>
  new Option(
    '--queue <url>',
    'the queue: log:DIR[?maxBytes=...], memory: (at-most-once), nats://HOST:4222[?shards=4&replicas=3], ' +
      'tls://USER:PASSWORD@HOST:4222?tlsCaFile=ca.pem (NATS credentials and TLS: packages/queue/README.md)',
  )
    .env('QUEUE_URL')
    .default(fallback);

export const configOption = () =>
  new Option(
    '--config <file>',
    'the collector config (default: ./sluice.config.json if present, else one demo source)',
  ).env('SLUICE_CONFIG');

export const fileAgeOption = () =>
  new Option('--file-age-ms <ms>', "cut a partition's file once its oldest event is this old")
    .env('SLUICE_FILE_AGE_MS')
    .default(DEFAULT_FILE_AGE_MS)
    .argParser(wholeNumber);

/** The forwarder's file format; unset, the forwarder's default (gzip NDJSON) applies. */
export const formatOption = (flag = '--format') =>
  new Option(
    `${flag} <format>`,
    'what files hold: ndjson-gzip (default), ndjson-zstd or parquet (columns; the slowest to write)',
  )
    .env('SLUICE_FORMAT')
    .choices(FILE_FORMAT_NAMES);

/** The table the Parquet files are committed to (`iceberg`), beside the Hive folders. */
export const tableOption = () =>
  new Option(
    '--table <kind>',
    'also commit the Parquet files to a table: iceberg (Apache Iceberg v2, in <store>/tables/events/)',
  )
    .env('SLUICE_TABLE')
    .choices(['iceberg']);

/** The forwarder's file options that `--file-age-ms`, `--format` and `--table` ask for. */
export function fileOptionsOf(options: {
  fileAgeMs: number;
  format?: FileFormatName;
  table?: string;
}): { maxFileAgeMs: number; format?: FileFormatName } {
  return {
    maxFileAgeMs: options.fileAgeMs,
    // A table holds Parquet: --table alone means --format parquet.
    ...(options.format || options.table ? { format: options.format ?? 'parquet' } : {}),
  };
}

/** How long the forwarder may fail before /readyz says not ready. */
export const unreadyAfterOption = () =>
  new Option(
    '--unready-after-ms <ms>',
    '/readyz answers 503 once uploads (or queue calls) have failed this long without a success',
  )
    .env('SLUICE_UNREADY_AFTER_MS')
    .default(30_000)
    .argParser(wholeNumber);

export const logLevelOption = (fallback: string) =>
  new Option('--log-level <level>', 'JSON logs on stdout at this level')
    .env('SLUICE_LOG_LEVEL')
    .choices(['debug', 'info', 'warn', 'error', 'silent'])
    .default(fallback);

/** Adds `options` to `command`. */
export function withOptions(command: Command, ...options: Option[]): Command {
  for (const option of options) command.addOption(option);
  return command;
}

/** `--tls-cert` and `--tls-key`: HTTPS with these PEM files, reloaded on SIGHUP. */
export const tlsOptions = () => [
  new Option(
    '--tls-cert <file>',
    'serve HTTPS with this certificate (PEM; reloaded on SIGHUP); wins over the config file tls section',
  ).env('SLUICE_TLS_CERT'),
  new Option('--tls-key <file>', 'the private key of --tls-cert (PEM)').env('SLUICE_TLS_KEY'),
];

/** The collector's `tls` option from `--tls-cert` and `--tls-key`: both or neither. */
export function tlsFilesOf(options: {
  tlsCert?: string;
  tlsKey?: string;
}): { certFile: string; keyFile: string } | undefined {
  if (options.tlsCert === undefined && options.tlsKey === undefined) return undefined;
  if (options.tlsCert === undefined || options.tlsKey === undefined) {
    throw new Error('--tls-cert and --tls-key go together: give both, or neither for plain HTTP');
  }
  return { certFile: options.tlsCert, keyFile: options.tlsKey };
}
