// Reading and judging a plan file as a whole: its text (JSON or YAML), its shape (zod), its
// schemas (ajv). What the collector's config load and `sluice plan check` both use.
import { describeIssues, type FieldIssue } from '@sluice/schema';
import { parse as parseYaml } from 'yaml';
import { type CompiledPlan, compilePlan, PlanCompileError } from './compile-plan.js';
import { type TrackingPlan, trackingPlanSchema } from './plan-schema.js';

/** A plan that passed every check, or every problem found, with dotted paths in the plan. */
export type PlanCheck =
  | { ok: true; plan: TrackingPlan; compiled: CompiledPlan }
  | { ok: false; issues: FieldIssue[] };

/** Judges a parsed plan file: its shape first, then whether each of its schemas compiles. */
export function checkTrackingPlan(input: unknown): PlanCheck {
  const parsed = trackingPlanSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: describeIssues(parsed.error) };
  try {
    return { ok: true, plan: parsed.data, compiled: compilePlan(parsed.data) };
  } catch (error) {
    if (error instanceof PlanCompileError) return { ok: false, issues: error.issues };
    throw error;
  }
}

/** Whether `fileName` names a YAML file (`.yaml`, `.yml`); any other is read as JSON. */
export function isYamlFile(fileName: string): boolean {
  return /\.ya?ml$/i.test(fileName);
}

/** The value in a plan file's text; throws an Error naming the file and the syntax problem. */
export function parsePlanText(text: string, fileName: string): unknown {
  try {
    return isYamlFile(fileName) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    const kind = isYamlFile(fileName) ? 'YAML' : 'JSON';
    throw new Error(`${fileName} is not valid ${kind}: ${(error as Error).message}`);
  }
}
