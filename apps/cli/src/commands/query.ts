// `sluice query [sql]`: DuckDB over the store's files, for a first look without installing
// anything else. Without SQL it counts the events by day, type and name.

import { resolve } from 'node:path';
import { eventsGlob, FILE_FORMAT_NAMES, type FileFormatName, FORMATS } from '@sluice/layout';
import { type Command, Option } from 'commander';
import { storeFormats } from '../lib/store-formats.js';
import { escapeControls, terminalSafeJson } from '../lib/terminal-text.js';

const HIVE = `hive_partitioning = true, hive_types = {'dt': DATE, 'hh': INTEGER}`;

// How DuckDB reads each format's files.
const READERS: Record<FileFormatName, (glob: string) => string> = {
  'ndjson-gzip': (glob) => `read_ndjson('${glob}', union_by_name = true, ${HIVE})`,
  'ndjson-zstd': (glob) =>
    `read_ndjson('${glob}', compression = 'zstd', union_by_name = true, ${HIVE})`,
  parquet: (glob) => `read_parquet('${glob}', union_by_name = true, ${HIVE})`,
};

/**
 * The query `sluice query` runs without SQL: events by UTC day, type and name, over the files
 * of each format in `formats` (default gzip NDJSON alone).
 */
export function summaryQuery(
  storeDir: string,
  formats: ReadonlySet<FileFormatName> = new Set(['ndjson-gzip']),
): string {
  const names = FILE_FORMAT_NAMES.filter((name) => formats.has(name));
  const from = (names.length > 0 ? names : (['ndjson-gzip'] as const)).map(
    (name) =>
      `SELECT dt, type, event FROM ${READERS[name](eventsGlob(resolve(storeDir), FORMATS[name].extension))}`,
  );
  return `SELECT dt, type, event, count(*) AS events
FROM (${from.join('\n      UNION ALL BY NAME ')})
GROUP BY ALL
ORDER BY ALL`;
}

export function addQueryCommand(program: Command): void {
  program
    .command('query')
    .description('run SQL over the files with DuckDB (default: events by day, type and name)')
    .argument('[sql]', 'the query; "-" reads it from stdin')
    .addOption(
      new Option('--store-dir <dir>', 'the store for the default query').default('data/store'),
    )
    .addOption(new Option('--json', 'print rows as JSON lines'))
    .addHelpText(
      'after',
      `
Example:
  sluice query "SELECT event, count(*) FROM read_ndjson('${eventsGlob('data/store', FORMATS['ndjson-gzip'].extension)}', hive_partitioning = true) GROUP BY ALL"`,
    )
    .action(async (sql: string | undefined, options: { storeDir: string; json?: boolean }) => {
      const text =
        sql === '-'
          ? await readStdin()
          : (sql ?? summaryQuery(options.storeDir, await storeFormats(options.storeDir)));
      // Loaded here: the native library is large, and only this command needs it.
      const { DuckDBInstance } = await import('@duckdb/node-api');
      const instance = await DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      try {
        const reader = await connection.runAndReadAll(text);
        const rows = reader.getRowObjectsJson() as Record<string, unknown>[];
        const columns = reader.columnNames();
        process.stdout.write(
          options.json
            ? rows.map((row) => `${terminalSafeJson(row)}\n`).join('')
            : formatTable(columns, rows),
        );
      } catch (error) {
        const message = (error as Error).message;
        const hint = /No files found/i.test(message)
          ? '\nno files yet: the forwarder writes them every 2 minutes (SLUICE_FILE_AGE_MS) and when sluice stops'
          : '';
        process.stderr.write(`sluice query: ${message}${hint}\n`);
        process.exitCode = 1;
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    });
}

/** Rows as an aligned text table, like DuckDB's own shell; control characters escaped. */
export function formatTable(names: string[], rows: Record<string, unknown>[]): string {
  const cells = rows.map((row) =>
    names.map((c) => {
      const value = row[c];
      return escapeControls(
        value === null || value === undefined
          ? 'NULL'
          : typeof value === 'object'
            ? JSON.stringify(value)
            : String(value),
      );
    }),
  );
  const columns = names.map(escapeControls);
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    `│ ${values.map((v, i) => v.padEnd(widths[i]!)).join(' │ ')} │`;
  const rule = (l: string, m: string, r: string) =>
    `${l}${widths.map((w) => '─'.repeat(w + 2)).join(m)}${r}`;
  return `${[
    rule('┌', '┬', '┐'),
    line(columns),
    rule('├', '┼', '┤'),
    ...cells.map(line),
    rule('└', '┴', '┘'),
    `${rows.length} row${rows.length === 1 ? '' : 's'}`,
  ].join('\n')}\n`;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
