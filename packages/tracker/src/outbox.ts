import { firstBody } from './first-body.js';
import { MAX_QUEUED_EVENTS } from './limits.js';
import { retryDelay } from './retry-delay.js';
import { keep, recall } from './storage.js';
import type { TrackerOptions } from './types.js';

const OUTBOX_KEY = 'sluice_q';

/**
 * Batches serialized events and keeps each one until the collector took it. A tuple, not an
 * object: its names then cost nothing in the tag.
 */
export type Outbox = [
  /** Queues one serialized event. */
  add: (event: string) => void,
  /** Sends what waits; with `beacon` when the page is being hidden or left. */
  flush: (beacon?: unknown) => void,
  /** Sends what waits now, backoff or not: on load (with what earlier pages left), or online. */
  retry: () => void,
  /** Forgets every unsent event, in memory and on the device. */
  clear: () => void,
];

/**
 * The tracker's outbox: every event not yet confirmed, in order, kept in localStorage
 * (`sluice_q`) when `device()` allows, else in memory for this page. A batch goes out at
 * `flushAt` new events or `flushInterval` ms after the first; while `allowed()` is false,
 * nothing is sent and at most MAX_QUEUED_EVENTS wait in memory. While the page lives a batch
 * goes by fetch, one request at a time (so keepalive bytes in flight stay under 64 KB), and
 * its events leave the outbox on a 2xx, or a 4xx other than 429 (no retry would change that
 * answer). A network error, 5xx or 429 is retried with the same
 * messageIds after an exponential backoff with jitter, never sooner than `Retry-After`. A new
 * page of the site takes over, and sends at once, what earlier pages left on the device; the
 * `online` event sends at once what this page has waiting.
 */
export const createOutbox = (
  { endpoint, writeKey, flushAt, flushInterval }: TrackerOptions,
  allowed: () => unknown,
  device: () => unknown,
): Outbox => {
  const url = endpoint.replace(/\/*$/, '/v1/batch'); // with or without a trailing slash
  const stored = (): string[] => recall(OUTBOX_KEY, device())?.split('\n') || [];
  // What earlier pages of the site left unsent (a tab closed or killed): this page sends it.
  // So may a live tab, its own: a copy of what it had waiting when this page was opened.
  let queue = stored();
  let inFlight: string[] = [];
  let added = 0;
  // Failed requests since the last answer: while any, the next request is a resend, marked
  // `?r` (the collector stores its events with `context.transport: 'resend'`), and so is what
  // earlier pages left (1 then). The whole request is marked, with any new events it carries.
  let failures = +!!queue[0];
  // One timer: the batch's flushInterval, or the backoff after a failure (while `failures`,
  // nothing is sent before it fires: a retry is never early).
  let timer: ReturnType<typeof setTimeout> | 0 = 0;
  const tick = (): void => {
    timer = 0;
    flush();
  };

  // Tabs of one site share the stored outbox, but each sends only its own events, and what
  // earlier pages left, taken over when it was created (`queue`): other tabs' events stay
  // where they are (their tabs send them), so no tab sends or brings back what another has in
  // flight or had confirmed. Writes what is stored plus `queue`, without the `done` events.
  const save = (done: string[]): void => {
    queue = queue.filter((event) => !done.includes(event)).slice(-MAX_QUEUED_EVENTS);
    keep(
      OUTBOX_KEY,
      // A serialized event never holds a raw newline, so newlines separate them.
      [...new Set([...stored(), ...queue])]
        .filter((event) => !done.includes(event))
        .slice(-MAX_QUEUED_EVENTS)
        .join('\n'),
      device(),
    );
  };

  const drain = (): void => {
    if (inFlight[0] || (failures && timer) || !queue[0] || !allowed()) return;
    const [body, count] = firstBody(writeKey, queue);
    inFlight = queue.slice(0, count);
    // fetch sees the answer, so it can retry; keepalive lets it finish if the page goes.
    fetch(url + (failures ? '?r' : ''), { method: 'POST', body, keepalive: true })
      .then((response) => {
        if (response.status === 429 || response.status > 499) throw response;
        failures = 0;
        save(inFlight);
      })
      .catch((failure: Partial<Response>) => {
        clearTimeout(timer); // a batch timer must not end the backoff early
        timer = setTimeout(
          tick,
          retryDelay(++failures, +(failure.headers?.get('retry-after') as string)),
        );
      })
      .finally(() => {
        inFlight = [];
        drain();
      });
  };

  const flush = (beacon?: unknown): void => {
    added = 0;
    const rest = queue.slice(inFlight.length); // what is in flight leads the queue
    let done: string[] = [];
    // sendBeacon is the request the browser keeps after the page is gone. Offline it says
    // "queued" and then loses it, so only online. One body: beacons share the 64 KB keepalive
    // quota, the browser would refuse a second. Its outcome is never seen: while the
    // collector is failing, its events stay for a later resend (storage drops repeats).
    if (beacon && allowed() && navigator.onLine && rest[0])
      try {
        const [body, count] = firstBody(writeKey, rest);
        if (navigator.sendBeacon(url + (failures ? '?r' : ''), body) && !failures)
          done = rest.slice(0, count);
      } catch {}
    save(done);
    drain(); // a batch timer still running later finds nothing, or the next events
  };

  return [
    (event) => {
      queue.push(event);
      if (++added >= (flushAt || 20)) flush();
      else timer ||= setTimeout(tick, flushInterval || 2000);
    },
    flush,
    () => {
      clearTimeout(timer); // the backoff ends; `failures` stays: still a resend
      tick();
    },
    () => {
      queue = [];
      keep(OUTBOX_KEY, '', 1); // every tab's: the choice is the site's
    },
  ];
};
