// `sluice config check` reads the plan files a config names, as the collector's loader does,
// so a config whose plan would stop the collector is not reported as fine.
import { dirname, resolve } from 'node:path';
import type { ConfigProblem } from '../config-check/check-config.js';
import { readPlanFile } from './read-plan.js';

/** The problems of each source's plan file (paths relative to the config file's folder). */
export async function planFileProblems(
  configFile: string | undefined,
  text: string | undefined,
): Promise<ConfigProblem[]> {
  let config: unknown;
  try {
    config = text === undefined ? undefined : JSON.parse(text);
  } catch {
    return []; // the config check reports the syntax
  }
  const sources = (config as { sources?: unknown })?.sources;
  if (!configFile || !Array.isArray(sources)) return [];
  const problems: ConfigProblem[] = [];
  for (const [i, source] of sources.entries()) {
    const plan = (source as { plan?: unknown } | null)?.plan;
    if (typeof plan !== 'string' || plan === '') continue;
    const file = resolve(dirname(configFile), plan);
    const check = await readPlanFile(file);
    if (check.ok) continue;
    for (const issue of check.issues) {
      problems.push({
        severity: 'error',
        where: file,
        path: `sources[${i}].plan${issue.path ? `: ${issue.path}` : ''}`,
        message: issue.message,
        fix: `see \`sluice plan check ${plan}\` and "Tracking plans" in the README`,
      });
    }
  }
  return problems;
}
