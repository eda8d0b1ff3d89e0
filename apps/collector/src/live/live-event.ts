// One row of the live view: what a person debugging their tag wants to see of an event.
// Built off the request path (when the feed flushes), from the bytes the queue took.
import { PLAN_VIOLATIONS_FIELD } from '@sluice/ingest';
import type { QueueMessage } from '@sluice/queue';
import type { RequestReport } from '../observe.js';

/** `flagged`: stored, with the tracking plan's issues in `context.planViolations`. */
export type LiveResult = 'accepted' | 'flagged' | 'quarantined' | 'rejected';

export interface LiveEvent {
  /** When the collector took (or refused) it, ms since the epoch. */
  at: number;
  result: LiveResult;
  source?: string;
  type?: string;
  /** The track's event name, the page's name, the identified user, ... */
  name?: string;
  /** The page it was sent from (`context.page.url`), when the event says. */
  page?: string;
  /** Why it was quarantined or refused. */
  detail?: string;
  messageId?: string;
}

type Json = Record<string, unknown>;

const decoder = new TextDecoder();
// Rows are for eyes: long values are cut so one huge event cannot bloat every viewer's page.
const MAX_TEXT = 300;

function text(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  return value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}…` : value;
}

function object(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : {};
}

function nameOf(event: Json): string | undefined {
  switch (event.type) {
    case 'track':
      return text(event.event);
    case 'page':
    case 'screen':
      return text(event.name) ?? text(object(object(event.context).page).title);
    case 'group':
      return text(event.groupId);
    default:
      return text(event.userId) ?? text(event.previousId);
  }
}

function pageOf(event: Json): string | undefined {
  const page = object(object(event.context).page);
  return text(page.url) ?? text(object(event.properties).url) ?? text(page.path);
}

function describeEvent(event: Json): Pick<LiveEvent, 'type' | 'name' | 'page' | 'messageId'> {
  return {
    type: text(event.type),
    name: nameOf(event),
    page: pageOf(event),
    messageId: text(event.messageId),
  };
}

/** A row for a message the queue acknowledged: a valid event, or one kept in quarantine. */
export function describeMessage(message: QueueMessage, at: number): LiveEvent {
  let body: Json = {};
  try {
    body = object(JSON.parse(decoder.decode(message.body)));
  } catch {
    // The collector wrote these bytes itself; an unreadable one still gets its row.
  }
  if (message.kind === 'event') {
    const row: LiveEvent = {
      at,
      result: 'accepted',
      source: message.source,
      ...describeEvent(body),
    };
    const flagged = object(body.context)[PLAN_VIOLATIONS_FIELD];
    if (Array.isArray(flagged) && flagged.length > 0) {
      row.result = 'flagged';
      row.detail = firstIssue(flagged);
    }
    return row;
  }
  const detail = firstIssue(Array.isArray(body.reason) ? body.reason : []);
  return {
    at,
    result: 'quarantined',
    source: message.source,
    ...describeEvent(object(body.event)),
    detail: detail || 'invalid event',
  };
}

/** `path: message` of the first of `issues` (FieldIssue objects), or '' when it has neither. */
function firstIssue(issues: unknown[]): string {
  const first = object(issues[0]);
  return [text(first.path), text(first.message)].filter(Boolean).join(': ');
}

/** A row for a tracking request the collector refused as a whole (bad key, origin, rate). */
export function describeRefusal(report: RequestReport, at: number): LiveEvent {
  return {
    at,
    result: 'rejected',
    detail: `${report.status} ${report.code ?? 'refused'} on ${report.method} ${report.route}`,
  };
}
