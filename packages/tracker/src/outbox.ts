import { firstBody } from './first-body.js';
import { MAX_QUEUED_EVENTS, STALE_MS } from './limits.js';
import { randomId } from './random-id.js';
import { retryDelay } from './retry-delay.js';
import { keep } from './storage.js';
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
  /** Sends what waits now, backoff or not: what earlier pages left, or all once back online. */
  retry: () => void,
  /** Forgets every unsent event, in memory and on the device. */
  clear: () => void,
];

/**
 * The tracker's outbox: every event not yet confirmed, in order, kept in localStorage
 * (`sluice_q<random id>`, one per page) when `device()` allows, else in memory for this page. A batch goes out at
 * `flushAt` new events or `flushInterval` ms after the first; while `allowed()` is false,
 * nothing is sent and at most MAX_QUEUED_EVENTS wait in memory. While the page lives a batch
 * goes by fetch, one request at a time (so keepalive bytes in flight stay under 64 KB), and
 * its events leave the outbox on a 2xx, or a 4xx other than 429 (no retry would change that
 * answer). A network error, 5xx or 429 is retried with the same
 * messageIds after an exponential backoff with jitter, never sooner than `Retry-After`; a new
 * page of the site, or the `online` event, sends at once what is left. Each flush of a page
 * not being left also takes over what pages that were left, or died, had not sent.
 */
export const createOutbox = (
  { endpoint, writeKey, flushAt = 20, flushInterval = 2000 }: TrackerOptions,
  allowed: () => unknown,
  device: () => unknown,
): Outbox => {
  const url = endpoint.replace(/\/*$/, '/v1/batch'); // with or without a trailing slash
  const own = OUTBOX_KEY + randomId();
  let queue: string[] = [];
  let left: unknown;
  let inFlight: string[] = [];
  let added = 0;
  let failures = 0;
  // One timer: the batch's flushInterval, or the backoff after a failure (while `failures`,
  // nothing is sent before it fires: a retry is never early).
  let timer: ReturnType<typeof setTimeout> | 0 = 0;
  const tick = (): void => {
    timer = 0;
    flush();
  };

  // Each page writes its own outbox (`sluice_q<random id>`), so no tab's write can lose
  // another's events, and each tab sends only its own: one copy of each event in flight. The
  // first line is when the page last wrote it, 0 once the page was left. Writes this page's
  // outbox without the `done` events, then sends; first, with `before`, takes over every
  // outbox last written before that time (Infinity: all, this page's own too, to remove them).
  const save = (done: string[], before?: unknown): void => {
    try {
      if (before)
        for (const key in localStorage)
          if (
            key.startsWith(OUTBOX_KEY) &&
            // parseInt reads the time line (NaN for the shared outbox of earlier versions)
            !(parseInt(localStorage[key]) > (before as number))
          ) {
            // A serialized event never holds a raw newline, so newlines separate them.
            queue.push(...localStorage[key].split('\n')); // into `done` too if it is `queue`
            delete localStorage[key];
          }
    } catch {}
    // Events are JSON objects ("{" and more), the time line is not.
    queue = queue.filter((event) => event > '{' && !done.includes(event)).slice(-MAX_QUEUED_EVENTS);
    keep(own, queue[0] && [+!left * Date.now(), ...queue].join('\n'), device());
    drain();
  };
  // Takes over the outboxes of tabs that closed or died (not written for STALE_MS). One tab at
  // a time (a Web Lock where there is one), or two would send them.
  const adopt = (): void => save([], device() && Date.now() - STALE_MS);

  // Sends the next batch, if none is in flight and no backoff is running.
  const drain = (): void => {
    if (inFlight[0] || (failures && timer) || !queue[0] || !allowed()) return;
    const [body, count] = firstBody(writeKey, queue);
    inFlight = queue.slice(0, count);
    // fetch sees the answer, so it can retry; keepalive lets it finish if the page goes.
    fetch(url, { method: 'POST', body, keepalive: true })
      .then((response) => {
        if (response.status === 429 || response.status > 499) throw response;
        failures = 0;
        save(inFlight.splice(0)); // empties inFlight, so that it sends what is next
      })
      .catch((failure: Partial<Response>) => {
        inFlight = [];
        clearTimeout(timer); // a batch timer must not end the backoff early
        timer = setTimeout(
          tick,
          retryDelay(++failures, +(failure.headers?.get('retry-after') as string)),
        );
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
        if (navigator.sendBeacon(url, body) && !failures) done = rest.slice(0, count);
      } catch {}
    // Left from pagehide on (the browser then hides the page: still left), till shown again
    // (from the back/forward cache): others may take what is left at once.
    left = beacon && ((beacon as Event).type || left);
    save(done); // a batch timer still running later finds nothing, or the next events
    // Not while leaving (nor its own outbox, just marked left); plainly where Web Locks are
    // missing (Safari before 15.4).
    left || navigator.locks?.request(OUTBOX_KEY, adopt) || adopt();
  };

  return [
    (event) => {
      queue.push(event);
      if (++added >= flushAt) flush();
      else timer ||= setTimeout(tick, flushInterval);
    },
    flush,
    () => {
      failures = 0;
      flush();
    },
    () => save(queue, 1 / 0),
  ];
};
