// Reads a plan file and judges it, for the `sluice plan` commands.
import { readFile } from 'node:fs/promises';
import { checkTrackingPlan, type PlanCheck, parsePlanText } from '@sluice/ingest';
import { escapeControls } from '../lib/terminal-text.js';

/** The plan check of `file`; a file that cannot be read or parsed is one issue at the root. */
export async function readPlanFile(file: string): Promise<PlanCheck> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return {
      ok: false,
      issues: [{ path: '', message: `cannot read it: ${(error as Error).message}` }],
    };
  }
  try {
    return checkTrackingPlan(parsePlanText(text, file));
  } catch (error) {
    return { ok: false, issues: [{ path: '', message: (error as Error).message }] };
  }
}

/**
 * The problems as `plan check` prints them: one per line, with the place in the plan. What
 * came from the file is printed with control characters made visible.
 */
export function formatPlanIssues(file: string, check: PlanCheck): string {
  const name = escapeControls(file);
  if (check.ok) return `${name}: the plan is valid\n`;
  const lines = check.issues.map(
    (i) => `  ${escapeControls(i.path || '(plan)')}: ${escapeControls(i.message)}`,
  );
  const count = `${check.issues.length} problem${check.issues.length === 1 ? '' : 's'}`;
  return `${name}: ${count}\n${lines.join('\n')}\n`;
}
