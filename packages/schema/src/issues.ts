import type { z } from 'zod';

/** One validation problem, in the shape the collector answers with. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Turns zod issues into `{ path, message }` pairs with dotted paths (`context.page.url`, `batch.3`). */
export function describeIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}
