// The event stream of the edge-files suite: one simulated hour of the benchmark's events from
// four sources of unequal traffic, in requests of 10 as the tag batches them, each sent at its
// (compressed) time to every path at once; a few requests are sent again, as the tag resends a
// batch whose answer it never saw (same body, same messageIds).
import { BENCH_HEADERS, segmentEvent } from '../events/segment-event.js';

/** The sources and their shares of the events: one busy, three quieter (ids are write keys). */
export const EDGE_SOURCES = [
  { id: 'shop', share: 0.6 },
  { id: 'blog', share: 0.25 },
  { id: 'docs', share: 0.1 },
  { id: 'app', share: 0.05 },
] as const;
export const EVENTS_PER_REQUEST = 10;
/** Requests sent a second time, a wall second after the first (the tag's retry). */
const RESEND_EVERY = 50;
const RESEND_AFTER_MS = 1_000;
/** Requests in flight per path at most; past it sending waits (and the lateness is reported). */
const IN_FLIGHT = 64;
const RETRY_MS = 250;
const MAX_TRIES = 20;

/** The collector config both paths run: the four sources, no per-IP limits (one address). */
export const EDGE_COLLECTOR_CONFIG = {
  limits: { ipRate: null, ipEventRate: null, ipByteRate: null },
  sources: EDGE_SOURCES.map((s) => ({
    id: s.id,
    writeKeys: [`wk_${s.id}`],
    allowedOrigins: ['*'],
  })),
};

/** One request of the stream. */
export interface StreamRequest {
  /** Wall ms after the start when it is sent. */
  atMs: number;
  source: string;
  ids: string[];
  body: string;
}

/** A path under test: sends one body, resolves with the HTTP status. */
export type Send = (body: string) => Promise<number>;

export interface SendReport {
  requests: number;
  resent: number;
  /** Answers other than 200 (each retried with the same body until it was 200). */
  refused: number;
  /** How far behind its time the latest request was sent (the paths' back-pressure). */
  maxLateMs: number;
  wallMs: number;
}

/** A source for request `k`, by the shares (a fixed hash, so runs are comparable). */
function sourceOf(k: number): string {
  const x = (Math.imul(k + 1, 2654435761) >>> 0) / 2 ** 32;
  let sum = 0;
  for (const s of EDGE_SOURCES) {
    sum += s.share;
    if (x < sum) return s.id;
  }
  return EDGE_SOURCES[0]!.id;
}

/**
 * `events` events spread evenly over the hour from `hourStartMs` (event time), sent over
 * `wallMs`: request k at k / requests of both. `sentAt` is the real clock's (the client's clock
 * is right; the events are late, as from a queue on the device), so skew correction keeps
 * the simulated times.
 */
export function edgeStream(
  events: number,
  hourStartMs: number,
  wallMs: number,
  run: string,
): StreamRequest[] {
  const requests = Math.ceil(events / EVENTS_PER_REQUEST);
  return Array.from({ length: requests }, (_, k) => {
    const source = sourceOf(k);
    const count = Math.min(EVENTS_PER_REQUEST, events - k * EVENTS_PER_REQUEST);
    const ids: string[] = [];
    const json: string[] = [];
    for (let j = 0; j < count; j++) {
      const i = k * EVENTS_PER_REQUEST + j;
      const id = `${run}-${i}`;
      ids.push(id);
      json.push(
        segmentEvent(id, new Date(hourStartMs + (i * 3_600_000) / events).toISOString(), i),
      );
    }
    const body = `{"batch":[${json.join(',')}],"sentAt":"@SENT@","writeKey":"wk_${source}"}`;
    return { atMs: (k * wallMs) / requests, source, ids, body };
  });
}

/** Sends the stream to every path at once, on its schedule, retrying refusals. */
export async function sendStream(
  stream: readonly StreamRequest[],
  paths: readonly Send[],
): Promise<SendReport> {
  const report: SendReport = { requests: 0, resent: 0, refused: 0, maxLateMs: 0, wallMs: 0 };
  const inFlight = paths.map(() => new Set<Promise<void>>());
  const began = performance.now();
  const post = async (send: Send, request: StreamRequest) => {
    for (let tries = 1; ; tries++) {
      const status = await send(request.body.replace('@SENT@', new Date().toISOString())).catch(
        () => 0,
      );
      if (status === 200) return;
      report.refused += 1;
      if (tries >= MAX_TRIES) throw new Error(`a request was refused ${tries} times (${status})`);
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  };
  const failures: unknown[] = [];
  const launch = async (request: StreamRequest) => {
    for (const [p, send] of paths.entries()) {
      const flying = inFlight[p]!;
      while (flying.size >= IN_FLIGHT) await Promise.race(flying);
      const call: Promise<void> = post(send, request)
        .catch((error: unknown) => {
          failures.push(error);
        })
        .finally(() => flying.delete(call));
      flying.add(call);
    }
  };
  const resends: Promise<void>[] = [];
  for (const [k, request] of stream.entries()) {
    const wait = request.atMs - (performance.now() - began);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    else report.maxLateMs = Math.max(report.maxLateMs, -wait);
    await launch(request);
    report.requests += 1;
    if (k % RESEND_EVERY === RESEND_EVERY - 1) {
      report.resent += 1;
      resends.push(
        new Promise((resolve) => setTimeout(resolve, RESEND_AFTER_MS)).then(() => launch(request)),
      );
    }
  }
  await Promise.all(resends);
  for (const flying of inFlight) await Promise.all(flying);
  report.wallMs = performance.now() - began;
  if (failures.length > 0) throw failures[0];
  return report;
}

/** A path that POSTs to `/v1/batch` through `fetchLike` (fetch, or miniflare's dispatchFetch). */
export function batchSender(
  fetchLike: (
    url: string,
    init: RequestInit,
  ) => Promise<{ status: number; text(): Promise<string> }>,
  baseUrl: string,
): Send {
  return async (body) => {
    const response = await fetchLike(`${baseUrl}/v1/batch`, {
      method: 'POST',
      headers: BENCH_HEADERS,
      body,
    });
    await response.text();
    return response.status;
  };
}
