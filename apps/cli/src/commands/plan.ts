// `sluice plan check|types <file>`: work with a source's tracking plan (see README, "Tracking plans").
import type { Command } from 'commander';
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
}
