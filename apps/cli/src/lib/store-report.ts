// What `sluice usage` and `sluice quality` share: a UTC day range given on the command line,
// and one DuckDB query over the store printed as a table or JSON lines.
import { type Command, InvalidArgumentError, Option } from 'commander';
import { formatTable } from '../commands/query.js';
import { terminalSafeJson } from './terminal-text.js';

/** A `--from`/`--to` value: a UTC day, YYYY-MM-DD, strict because it goes into the SQL text. */
export function day(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new InvalidArgumentError('give a UTC day as YYYY-MM-DD.');
  }
  return value;
}

/** `text` as an SQL string literal. */
export const sqlString = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/**
 * Runs `sql` in an in-memory DuckDB and prints its rows (a table, or JSON lines with `json`).
 * A store without files yet prints an empty report with `emptyColumns`, not a failure.
 */
export async function printStoreReport(
  sql: string,
  options: { json?: boolean; emptyColumns: string[] },
): Promise<void> {
  // Loaded here: the native library is large, and only these commands need it.
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    const rows = reader.getRowObjectsJson() as Record<string, unknown>[];
    process.stdout.write(
      options.json
        ? rows.map((row) => `${terminalSafeJson(row)}\n`).join('')
        : formatTable(reader.columnNames(), rows),
    );
  } catch (error) {
    if (!/No files found/i.test((error as Error).message)) throw error;
    process.stdout.write(options.json ? '' : formatTable(options.emptyColumns, []));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** A report command over a day range of the store: `--from`, `--to`, `--store-dir`, `--json`. */
export function addStoreReportCommand(
  program: Command,
  report: {
    name: string;
    description: string;
    help: string;
    /** The report's columns, printed for an empty store. */
    columns: readonly string[];
    query: (storeDir: string, from: string, to: string) => string;
  },
): void {
  program
    .command(report.name)
    .description(report.description)
    .addOption(
      new Option('--from <day>', 'first UTC day, YYYY-MM-DD').argParser(day).makeOptionMandatory(),
    )
    .addOption(
      new Option('--to <day>', 'last UTC day, YYYY-MM-DD (default: --from)').argParser(day),
    )
    .addOption(new Option('--store-dir <dir>', 'the store').default('data/store'))
    .addOption(new Option('--json', 'print rows as JSON lines'))
    .addHelpText('after', report.help)
    .action(async (options: { from: string; to?: string; storeDir: string; json?: boolean }) => {
      const to = options.to ?? options.from;
      if (to < options.from) throw new Error(`--to ${to} is before --from ${options.from}`);
      await printStoreReport(report.query(options.storeDir, options.from, to), {
        json: options.json,
        emptyColumns: [...report.columns],
      });
    });
}
