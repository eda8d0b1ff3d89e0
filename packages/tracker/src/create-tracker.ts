import { MAX_EVENT_BYTES } from '@sluice/schema/limits';
import { readBrowser, readPage } from './context.js';
import { byteLength } from './first-body.js';
import { createOutbox } from './outbox.js';
import { randomId } from './random-id.js';
import { safe } from './safe.js';
import { keep, recall } from './storage.js';
import type { BaseEvent, Tracker, TrackerEvent, TrackerMethods, TrackerOptions } from './types.js';
import { touchSession, type Visitor } from './visitor.js';

const VISITOR_KEY = 'sluice_id';
const CONSENT_KEY = 'sluice_consent';

// What a call adds to the fields every event shares.
type OwnFields<E> = E extends TrackerEvent ? Omit<E, keyof BaseEvent> & { userId?: string } : never;

/**
 * Creates a tracker that batches events and sends them to `${endpoint}/v1/batch`, keeping
 * every unsent one (localStorage) until the collector took it. Batches go out at `flushAt`
 * events, `flushInterval` ms after the first unsent one, and when the page is hidden or left.
 * Records a page view on load, and on each single-page-app navigation, unless turned off.
 */
export const createTracker = (options: TrackerOptions): Tracker => {
  const auto = options.autoPageview !== false;
  let browser: ReturnType<typeof readBrowser> | undefined;
  let consent = recall(CONSENT_KEY, 1);
  // Undecided with requireConsent (or a privacy signal): wait, send nothing, store nothing.
  const allowed = (): boolean =>
    consent
      ? consent === '1'
      : !(
          options.requireConsent ||
          (options.respectDnt &&
            (+(navigator.doNotTrack as string) || // "1" is on; "0", null, "unspecified" not
              (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl))
        );
  const device = (): unknown => !options.cookieless && allowed();
  const [queueEvent, flushOutbox, retryOutbox, clearOutbox] = createOutbox(
    options,
    allowed,
    device,
  );
  let visitor: Visitor = [randomId()];
  // Reads the visitor again (another tab may have identified or reset), changes, stores it.
  const remember = (change: (visitor: Visitor) => void): Visitor => {
    try {
      visitor = JSON.parse(recall(VISITOR_KEY, device())!);
    } catch {} // nothing stored (JSON.parse(undefined) throws) or not ours
    change(visitor);
    keep(VISITOR_KEY, JSON.stringify(visitor), device());
    return visitor;
  };
  let lastPath: string | undefined;

  const record = (fields: OwnFields<TrackerEvent>): void => {
    if (consent === '0') return;
    const [anonymousId, userId, sessionId, , eventIndex] = remember(touchSession);
    browser ||= readBrowser(); // here, not at creation: server-side rendering has no navigator
    const scrub = options.beforeSend || ((event: TrackerEvent) => event);
    const kept = scrub({
      messageId: randomId(),
      anonymousId,
      userId,
      timestamp: new Date().toISOString(),
      context: { ...readPage(), sessionId, eventIndex, ...browser },
      ...fields,
    } as TrackerEvent);
    if (!kept) return;
    // Serialized once, here: the outbox, the body size and the body all use this string.
    const json = JSON.stringify(kept);
    if (byteLength(json) > MAX_EVENT_BYTES) {
      if (options.debug) console.warn('sluice: over 32 KB', kept);
      return;
    }
    queueEvent(json);
  };

  const here = (): string => location.pathname + (options.hash ? location.hash : '');
  const api: TrackerMethods = {
    track: (event, properties) => record({ type: 'track', event, properties }),
    page: (name, properties) => record({ type: 'page', name, properties }),
    identify: (id, traits) => {
      remember((v) => {
        v[1] = id;
      });
      record({ type: 'identify', traits });
    },
    group: (groupId, traits) => record({ type: 'group', groupId, traits }),
    alias: (id, previousId) =>
      record({ type: 'alias', userId: id, previousId: previousId || visitor[1] || visitor[0] }),
    reset: () => {
      visitor = [randomId()];
      keep(VISITOR_KEY, '', 1);
    },
    flush: () => flushOutbox(document.hidden),
    consent: (granted) => {
      consent = keep(CONSENT_KEY, `${+granted}`, 1);
      if (granted) {
        // On the device from now on. `allowed` changes nothing: consent is not an event, so it
        // takes no number of the session (the ledger would count it as a lost event).
        remember(allowed);
        flushOutbox(document.hidden);
      } else {
        clearOutbox(); // from the device too
        api.reset(); // the ids as well
      }
    },
  };
  type Method = (...args: unknown[]) => void;
  const tracker = safe((name: keyof TrackerMethods, ...args: unknown[]) =>
    (api[name] as Method)(...args),
  ) as Method & Record<string, Method>;
  for (const name in api) tracker[name] = safe(api[name as 'track'] as Method);

  const navigated = (): void => {
    // The old path against the new one, which is kept (fewer bytes in the tag).
    // biome-ignore lint/suspicious/noAssignInExpressions: see above
    if (lastPath !== (lastPath = here())) tracker.page!();
  };
  // After the caller's first calls (the script tag replays the snippet's queue), so that
  // consent and identify made right away apply to the page view on load. Outside a browser
  // (server-side rendering) this throws, quietly: there is nothing to listen to.
  setTimeout(
    safe(() => {
      addEventListener('online', retryOutbox);
      // visibilitychange (it bubbles from document to window) is the last event many mobile
      // browsers deliver; pagehide is the backstop. Hidden: sendBeacon; visible again: fetch.
      addEventListener('visibilitychange', () => flushOutbox(document.hidden));
      addEventListener('pagehide', flushOutbox); // the event is truthy: beacon
      if (options.spa ?? auto) {
        // One page view per change of path, however many of these events one navigation fires.
        for (const name of ['pushState', 'replaceState'] as const) {
          const original = history[name];
          history[name] = function (this: History, ...args: Parameters<History['pushState']>) {
            original.apply(this, args);
            navigated();
          };
        }
        addEventListener('popstate', navigated);
        addEventListener('hashchange', navigated);
      }
      retryOutbox(); // what earlier pages of the site left unsent
      if (auto) navigated();
    }),
  );
  return tracker as unknown as Tracker;
};
