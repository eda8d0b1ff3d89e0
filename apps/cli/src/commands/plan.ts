// `sluice plan check|types <file>`, `sluice plan infer`: work with a source's tracking plan (see README, "Tracking plans").
import { SOURCE_ID_PATTERN } from '@sluice/schema';
import { type Command, InvalidArgumentError } from 'commander';
import { stringify as stringifyYaml } from 'yaml';
import { escapeControls } from '../lib/terminal-text.js';
import { draftPlan } from '../plan/infer-plan.js';
import { fieldCounts, inferQuery } from '../plan/infer-query.js';
import { planTypes } from '../plan/plan-types.js';
import { formatPlanIssues, readPlanFile } from '../plan/read-plan.js';

export function addPlanCommand(program: Command): void {
  const plan = program.command('plan').description("work with a source's tracking plan");
  plan
    .command('check')
    .description('check a plan file (JSON or YAML): its shape and every JSON Schema in it')
    .argument('<file>', 'the plan file')
    .addHelpText('after', '\nExit code 0 when the collector would load this plan, 1 if not.')
    .action(async (file: string) => {
      const check = await readPlanFile(file);
      const report = formatPlanIssues(file, check);
      (check.ok ? process.stdout : process.stderr).write(report);
      if (!check.ok) process.exitCode = 1;
    });
  plan
    .command('types')
    .description('print TypeScript declarations: a tracker wrapper typed by the plan')
    .argument('<file>', 'the plan file')
    .addHelpText(
      'after',
      `
Save the output as a .ts file, then:
  import { typedTracker } from './tracking-plan';
  const analytics = typedTracker(createTracker({ ... }));
  analytics.track('Order Completed', { price: 12.5 }); // a wrong name or type fails to compile`,
    )
    .action(async (file: string) => {
      const check = await readPlanFile(file);
      if (!check.ok) {
        process.stderr.write(formatPlanIssues(file, check));
        process.exitCode = 1;
        return;
      }
      process.stdout.write(await planTypes(check.plan));
    });
  addPlanInferCommand(plan);
}

/** `sluice plan infer`: a draft plan, as YAML, from a source's stored events. */
export function addPlanInferCommand(plan: Command): void {
  plan
    .command('infer')
    .description("draft a plan (YAML) from a source's stored events, with DuckDB")
    .requiredOption('--source <id>', 'the source whose events are read')
    .option('--store-dir <dir>', 'the store (gzip NDJSON files)', 'data/store')
    .option('--limit <events>', 'read only the newest events of this many (by hour)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('give a whole number.');
      return n;
    })
    .addHelpText(
      'after',
      `
The draft lists every type and track name seen, each field with the JSON types seen, and as
required the fields every event had. It flags (onViolation: flag): read it, tighten it, then
check it with \`sluice plan check\` and name it in the source's config.`,
    )
    .action(async (options: { source: string; storeDir: string; limit?: number }) => {
      if (!SOURCE_ID_PATTERN.test(options.source)) {
        throw new InvalidArgumentError(`"${options.source}" is not a source id`);
      }
      // Loaded here: the native library is large, and only these commands need it.
      const { DuckDBInstance } = await import('@duckdb/node-api');
      const instance = await DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      try {
        const reader = await connection.runAndReadAll(
          inferQuery(options.storeDir, options.source, options.limit),
        );
        const counts = fieldCounts(reader.getRowObjectsJson() as Record<string, unknown>[]);
        if (counts.length === 0) throw new Error(`no stored events of source "${options.source}"`);
        const header = `# Drafted by \`sluice plan infer --source ${options.source}\` from ${counts.filter((c) => c.key === null).reduce((a, c) => a + c.count, 0)} stored events.`;
        process.stdout.write(`${escapeControls(header)}\n${stringifyYaml(draftPlan(counts))}`);
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    });
}
