// `sluice config check [file]`: reports every mistake with where it is and how to fix it.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DEFAULT_CONFIG_FILE } from '@sluice/collector';
import type { Command } from 'commander';
import { type ConfigCheck, checkConfig } from '../config-check/check-config.js';
import { escapeControls } from '../lib/terminal-text.js';
import { planFileProblems } from '../plan/plan-file-problems.js';

export function addConfigCommand(program: Command): void {
  const config = program.command('config').description('work with the collector config');
  config
    .command('check')
    .description('check a config file and its SLUICE__* overrides; report every mistake')
    .argument('[file]', `the file (default: $SLUICE_CONFIG, else ./${DEFAULT_CONFIG_FILE})`)
    .addHelpText(
      'after',
      `
Each problem is printed with its place (file:line:column, or the environment variable that set
it) and how to fix it. Exit code 0 when the collector would start with this config, 1 if not.`,
    )
    .action(async (file: string | undefined) => {
      const env = process.env;
      const named = file ?? env.SLUICE_CONFIG;
      const path = resolve(named ?? DEFAULT_CONFIG_FILE);
      let text: string | undefined;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || named !== undefined) {
          process.stderr.write(`${path}: cannot read it: ${(error as Error).message}\n`);
          process.exitCode = 1;
          return;
        }
      }
      const origins = env.SLUICE_ALLOWED_ORIGINS?.split(',').map((o) => o.trim()) ?? ['*'];
      const fallback = {
        sources: [
          { id: 'demo', writeKeys: [env.SLUICE_WRITE_KEY ?? 'demo-key'], allowedOrigins: origins },
        ],
      };
      const check = checkConfig({
        file: text === undefined ? undefined : path,
        text,
        env,
        fallback,
      });
      check.problems.push(...(await planFileProblems(text === undefined ? undefined : path, text)));
      process.stdout.write(formatCheck(check));
      if (check.problems.some((p) => p.severity === 'error')) process.exitCode = 1;
    });
}

/** The report as the command prints it. */
export function formatCheck(check: ConfigCheck): string {
  const lines = [`checking ${check.checked}`, ''];
  for (const problem of check.problems) {
    const path = problem.path ? `  ${problem.path}` : '';
    lines.push(`${problem.severity}: ${problem.where}${path}`);
    lines.push(`  ${problem.message}`);
    if (problem.fix) lines.push(`  fix: ${problem.fix}`);
    if (problem.about) lines.push(`  about ${problem.about}`);
    lines.push('');
  }
  const errors = check.problems.filter((p) => p.severity === 'error').length;
  const warnings = check.problems.length - errors;
  if (errors > 0) {
    lines.push(
      `${errors} error${errors === 1 ? '' : 's'}${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}: the collector would not start with this config.`,
    );
  } else {
    lines.push(
      `ok${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}: ${check.summary}`,
    );
  }
  // The config's own text is quoted in messages: keep its control characters inert too.
  return `${lines.map(escapeControls).join('\n')}\n`;
}
