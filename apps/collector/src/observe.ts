// What the collector reports about itself. The core only calls these interfaces; the Node
// entry point implements them with prom-client and pino (see node-metrics.ts, node.ts), and
// an edge runtime may leave them out.
import type { ErrorCode } from './errors.js';

/** One finished request, as the metrics see it. */
export interface RequestReport {
  /** The route's pattern (`/v1/batch`, `/healthz`), or `unmatched`: never the raw path. */
  route: string;
  method: string;
  status: number;
  /** Time from the request's arrival to the answer, in seconds. */
  seconds: number;
  /** The error code when the request was refused. */
  code?: ErrorCode;
}

/** The events of one acknowledged request. */
export interface EventsReport {
  source: string;
  /** Valid events the queue acknowledged, copies included (a client's resend counts again). */
  accepted: number;
  /**
   * How many of those this process acknowledged a moment ago (same source and messageId, in a
   * window of recent ids): resends, which storage drops. Missing where nothing counts them.
   */
  repeated?: number;
  /** Why each quarantined event was refused (`event_too_large`, `invalid_<field>`). */
  quarantined: readonly string[];
  /**
   * The plan label of each event that broke the source's tracking plan (quarantined or
   * flagged): a name the plan lists, `<type>:*`, or `_unplanned`.
   */
  planViolations?: readonly string[];
  /** How the request came: `beacon`, `fetch`, `pixel` (Fetch Metadata), or `resend` (the tag's `?r`). */
  transport?: string;
  /** Each accepted event's delay, ms from its (skew-corrected) time to the request's arrival. */
  delaysMs?: readonly number[];
  /** Each numbered accepted event's visit (anonymousId NUL session) and `context.eventIndex`. */
  sequence?: readonly (readonly [visit: string, index: number])[];
}

/** Receives counts and timings; implementations must be cheap and must not throw. */
export interface CollectorObserver {
  requestFinished(report: RequestReport): void;
  eventsIngested(report: EventsReport): void;
}

/**
 * A structured logger (pino's calling convention: fields first, then the message). The core
 * never passes a key, a secret or a raw IP address to it.
 */
export interface CollectorLogger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

/** A logger that writes errors to the console and drops the rest (the default). */
export function consoleErrorLogger(logError: (error: unknown) => void): CollectorLogger {
  const ignore = () => {};
  return {
    debug: ignore,
    info: ignore,
    warn: ignore,
    error: (fields) => logError('err' in fields ? fields.err : fields),
  };
}
