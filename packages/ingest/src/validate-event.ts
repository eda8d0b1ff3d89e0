// Judging one event: the schema (the quick check first, zod for the rest) and the size limit.
import {
  describeIssues,
  eventSchema,
  type FieldIssue,
  isSurelyValidEvent,
  MAX_ID_LENGTH,
} from '@sluice/schema';

/**
 * The issues that keep `event` from being stored, or undefined when the schema accepts it.
 * The quick check passes the common valid event; zod judges the rest and names the issues.
 */
export function validateEvent(event: Record<string, unknown>): FieldIssue[] | undefined {
  if (isSurelyValidEvent(event)) return undefined;
  const parsed = eventSchema.safeParse(event);
  return parsed.success ? undefined : describeIssues(parsed.error);
}

/** The issue of an event over the size limit. */
export function eventSizeIssue(bytes: number, maxBytes: number): FieldIssue {
  return { path: '', message: `event is ${bytes} bytes; at most ${maxBytes} are allowed` };
}

/** The event's `messageId` when it can name a queue message, else undefined. */
export function usableMessageId(event: Record<string, unknown>): string | undefined {
  const id = event.messageId;
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH ? id : undefined;
}
