// Judges one quarantine record again, the way the path that refused it would judge it today:
// - a record with `receivedAt` came from the collector (or the MQTT bridge): it goes through the
//   collector's own `ingestBatch` with that arrival as the clock, the source's enrich settings
//   and its current plan, so the event gets `receivedAt` back, the same skew correction and
//   clamp, the same repair and the same plan verdict (`flag` keeps it flagged);
// - a record without one came from `sluice import`: import's rules (`toImportedMessage`), then
//   the source's plan, as import would have judged it.
// Not import's rules for both: with `receivedAt` put back, import takes the client's `timestamp`
// as already corrected and never clamps, so an event could land in another hour than the
// collector would have filed it in. Facts of the request are not in the record and cannot come
// back: its headers (User-Agent, IP) and a batch-level `sentAt` or `context`.

import {
  type CompiledPlan,
  type EnrichOptions,
  ingestBatch,
  PLAN_VIOLATIONS_FIELD,
} from '@sluice/ingest';
import type { QueueMessage } from '@sluice/queue';
import { type FieldIssue, quarantineRecordSchema } from '@sluice/schema';
import { toImportedMessage } from '../import/imported-event.js';

/** What the collector's config says about a source, as replay needs it. */
export interface SourceRules {
  /** Its current tracking plan (none: events are not judged by a plan). */
  plan?: CompiledPlan;
  /** Its `enrich` settings (default: everything on, as the collector's default). */
  enrich?: EnrichOptions;
  /** Largest event as sent (default MAX_EVENT_BYTES). */
  maxEventBytes?: number;
  /** Keep client times more than 30 days back (a `side: "server"` source). */
  keepPastTimestamps?: boolean;
}

export interface RecordPlace {
  source: string;
  /** The quarantine file's content hash, and the record's 1-based line in it. */
  inputId: string;
  line: number;
}

/** An event to write again, or why the record is still refused. */
export type Verdict =
  | { kind: 'event'; message: QueueMessage }
  | { kind: 'invalid'; reason: FieldIssue[]; messageId?: string };

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** The verdict on one line of a quarantine file; see the module comment. */
export function judgeQuarantined(text: string, place: RecordPlace, rules: SourceRules): Verdict {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return invalid([{ path: '', message: 'not a quarantine record: not JSON' }]);
  }
  const record = quarantineRecordSchema.safeParse(parsed);
  if (!record.success) return invalid([{ path: '', message: 'not a quarantine record' }]);
  const { event, receivedAt } = record.data;
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    return invalid([{ path: '', message: 'must be a JSON object' }]);
  }
  const fields = event as Record<string, unknown>;
  const receivedAtMs = receivedAt === undefined ? Number.NaN : Date.parse(receivedAt);
  const verdict = Number.isNaN(receivedAtMs)
    ? asImportWould(fields, place, rules.plan)
    : asCollectorWould(fields, receivedAtMs, place, rules);
  if (verdict.kind === 'invalid' && typeof fields.messageId === 'string') {
    verdict.messageId = fields.messageId;
  }
  return verdict;
}

function asCollectorWould(
  event: Record<string, unknown>,
  receivedAtMs: number,
  place: RecordPlace,
  rules: SourceRules,
): Verdict {
  const result = ingestBatch(
    { batch: [event] },
    {
      sourceId: place.source,
      receivedAtMs,
      // Only for an event without a messageId the repair cannot derive: fixed by its place.
      newId: () => `${place.inputId}:${place.line}`,
      ...(rules.maxEventBytes !== undefined ? { maxEventBytes: rules.maxEventBytes } : {}),
      ...(rules.enrich ? { options: rules.enrich } : {}),
      ...(rules.plan ? { plan: rules.plan } : {}),
      keepPastTimestamps: rules.keepPastTimestamps === true,
    },
  );
  const message = result.messages[0] as QueueMessage;
  if (message.kind === 'event') return { kind: 'event', message };
  return invalid(result.rejected[0]?.errors ?? []);
}

function asImportWould(
  event: Record<string, unknown>,
  place: RecordPlace,
  plan: CompiledPlan | undefined,
): Verdict {
  const message = toImportedMessage({ line: place.line, event }, place);
  const stored = JSON.parse(decoder.decode(message.body)) as Record<string, unknown>;
  if (message.kind === 'quarantine') return invalid(stored.reason as FieldIssue[]);
  const violation = plan?.check(stored);
  if (!violation) return { kind: 'event', message };
  if (plan?.onViolation !== 'flag') return invalid(violation.issues);
  const context =
    typeof stored.context === 'object' && stored.context !== null ? stored.context : {};
  stored.context = { ...context, [PLAN_VIOLATIONS_FIELD]: violation.issues };
  return { kind: 'event', message: { ...message, body: encoder.encode(JSON.stringify(stored)) } };
}

function invalid(reason: FieldIssue[]): Verdict {
  return { kind: 'invalid', reason };
}
