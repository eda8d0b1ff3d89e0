// A source's tracking plan in the config: the path of its plan file (replaced by the file's
// content when the Node loader reads the config, see config-file.ts) or the plan itself.
// The plan is judged and its schemas compiled here, once per load or reload.
import {
  type CompiledPlan,
  checkTrackingPlan,
  compilePlan,
  type TrackingPlan,
} from '@sluice/ingest';
import { z } from 'zod';

/** The `plan` field of a source: a file path, or a plan that passed every check. */
export const sourcePlanSchema = z
  .union([z.string().min(1), z.record(z.string(), z.unknown())], {
    message: 'plan must be the path of a plan file (JSON or YAML) or a plan object',
  })
  .transform((input, ctx): string | TrackingPlan => {
    if (typeof input === 'string') return input;
    const check = checkTrackingPlan(input);
    if (check.ok) return check.plan;
    for (const issue of check.issues) {
      ctx.addIssue({ code: 'custom', path: issue.path.split('.'), message: issue.message });
    }
    return z.NEVER;
  })
  .describe(
    'The tracking plan: a JSON or YAML file (path relative to the config file, read at load and each reload), or the plan itself. See "Tracking plans" in the README.',
  );

/**
 * The compiled plan of each source that has one (already compiled by the config's parse:
 * this looks them up). Throws when a plan is still a path: only the file loader reads files.
 */
export function compileSourcePlans(
  sources: readonly { id: string; plan?: string | TrackingPlan | undefined }[],
): Map<string, CompiledPlan> {
  const plans = new Map<string, CompiledPlan>();
  for (const source of sources) {
    if (source.plan === undefined) continue;
    if (typeof source.plan === 'string') {
      throw new Error(
        `source "${source.id}": its plan "${source.plan}" is a file, read only when the config is loaded from a file (loadCollectorConfig); give the plan itself instead`,
      );
    }
    plans.set(source.id, compilePlan(source.plan));
  }
  return plans;
}
