import { createBatch } from './batch.js';
import { readContext } from './context.js';
import { randomId } from './random-id.js';
import { safe } from './safe.js';
import { send } from './send.js';
import { splitBodies } from './split-bodies.js';
import { keep, recall } from './storage.js';
import type { BaseEvent, Tracker, TrackerEvent, TrackerOptions } from './types.js';

const ANONYMOUS_ID_KEY = 'sluice_aid';
const USER_ID_KEY = 'sluice_uid';

// What a call adds to the fields every event shares.
type OwnFields<E> = E extends TrackerEvent ? Omit<E, keyof BaseEvent> : never;

/**
 * Creates a tracker that batches events in memory and sends them to `${endpoint}/v1/batch`.
 * Batches go out at `flushAt` events, `flushInterval` ms after the first unsent event, and when
 * the page is hidden or left. Records a page view at once unless `autoPageview` is false.
 */
export function createTracker(options: TrackerOptions): Tracker {
  const anonymousId = keep(ANONYMOUS_ID_KEY, recall(ANONYMOUS_ID_KEY) || randomId());
  let userId = recall(USER_ID_KEY);
  const batch = createBatch<TrackerEvent>(
    options.flushAt || 20,
    options.flushInterval || 2000,
    safe((events) => {
      const url = `${options.endpoint.replace(/\/+$/, '')}/v1/batch`;
      for (const body of splitBodies(options.writeKey, events)) send(url, body);
    }),
  );
  const record = (fields: OwnFields<TrackerEvent>): void =>
    batch.add({
      messageId: randomId(),
      anonymousId,
      userId,
      timestamp: new Date().toISOString(),
      context: readContext(),
      ...fields,
    });
  const tracker: Tracker = {
    track: safe((event, properties) => record({ type: 'track', event, properties })),
    page: safe((name, properties) => record({ type: 'page', name, properties })),
    identify: safe((id, traits) => {
      userId = keep(USER_ID_KEY, id);
      record({ type: 'identify', traits });
    }),
    flush: batch.flush,
  };
  // Outside a browser (server-side rendering) there is nothing to listen to: stay quiet.
  safe(() => {
    // visibilitychange is the last event many mobile browsers deliver; pagehide is the backstop.
    document.addEventListener(
      'visibilitychange',
      () => document.visibilityState === 'hidden' && batch.flush(),
    );
    addEventListener('pagehide', batch.flush);
    if (options.autoPageview !== false) tracker.page();
  })();
  return tracker;
}
