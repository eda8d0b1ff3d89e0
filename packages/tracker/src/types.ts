// Public types of the tracker. Self-contained on purpose: the published .d.ts must not
// need @sluice/schema. `schema-types.test.ts` keeps them assignable to its `SluiceEvent`.

/** Free-form properties or traits; must survive JSON.stringify. */
export type Properties = Record<string, unknown>;

/** Options of `createTracker`. */
export type TrackerOptions = {
  /** The source's write key, sent with every batch. */
  writeKey: string;
  /** The collector's base URL, e.g. `https://collect.example.com`; `/v1/batch` is appended. */
  endpoint: string;
  /** Send once the batch holds this many events (default 20). */
  flushAt?: number;
  /** Send at most this many milliseconds after the first unsent event (default 2000). */
  flushInterval?: number;
  /** Record a page view when the tracker is created (default true). */
  autoPageview?: boolean;
  /**
   * Record a page view when a single-page app changes the path: `history.pushState`,
   * `replaceState`, back/forward (default: as `autoPageview`). One navigation, one page view.
   */
  spa?: boolean;
  /** Count a change of `location.hash` as a new page, for hash routers (default false). */
  hash?: boolean;
  /** Keep nothing on the device: ids and unsent events live in memory, for this page only. */
  cookieless?: boolean;
  /** Send and store nothing until `consent(true)`; events wait in memory until then. */
  requireConsent?: boolean;
  /** Treat Do Not Track and Global Privacy Control as "no consent yet" (default false). */
  respectDnt?: boolean;
  /**
   * Called with each event before it is queued: return it (changed or not) to send it, or
   * `null`/`false` to drop it, e.g. to remove personal data.
   */
  beforeSend?: (event: TrackerEvent) => TrackerEvent | null | undefined | false;
  /** Warn in the console about events the tag drops (over 32 KB). */
  debug?: boolean;
};

/** UTM parameters of the page's URL (`utm_campaign` becomes `name`). */
export type Campaign = {
  name?: string;
  source?: string;
  medium?: string;
  term?: string;
  content?: string;
  [utm: string]: string | undefined;
};

/** What the tag knows about the page and the browser, sent as each event's `context`. */
export type TrackerContext = {
  page: { url: string; path: string; referrer: string; title: string; search: string };
  /** Only when the URL has `utm_*` parameters. */
  campaign?: Campaign;
  /** The visit's start time (ms since 1970): a new visit starts after 30 minutes without events. */
  sessionId: number;
  /**
   * The event's number in its session, from 1, shared by the site's tabs (Snowplow's
   * `eventIndex`): a number the store never got is a lost event (`sluice quality`).
   */
  eventIndex: number;
  locale: string;
  timezone: string;
  screen: { width: number; height: number };
  library: { name: 'sluice'; version: string };
};

/** Fields every event carries (Segment spec names). */
export type BaseEvent = {
  /** 21 URL-safe random characters; storage drops repeats by it, so retries keep it. */
  messageId: string;
  /** Random id kept in localStorage (`sluice_aid`) across pages, in memory when cookieless. */
  anonymousId: string;
  /** Set once `identify` was called, kept across pages until `reset()`. */
  userId?: string | null;
  /** When the event happened (ISO-8601). */
  timestamp: string;
  context: TrackerContext;
};

export type TrackEvent = BaseEvent & { type: 'track'; event: string; properties?: Properties };
export type PageEvent = BaseEvent & { type: 'page'; name?: string; properties?: Properties };
export type IdentifyEvent = BaseEvent & { type: 'identify'; traits?: Properties };
export type GroupEvent = BaseEvent & { type: 'group'; groupId: string; traits?: Properties };
export type AliasEvent = BaseEvent & { type: 'alias'; userId: string; previousId: string };

/** One event as the tracker sends it. */
export type TrackerEvent = TrackEvent | PageEvent | IdentifyEvent | GroupEvent | AliasEvent;

/** The tracker's methods (Segment's names). No method ever throws. */
export type TrackerMethods = {
  /** Records a user action, e.g. `track('Signed Up', { plan: 'pro' })`. */
  track(event: string, properties?: Properties): void;
  /** Records a page view of the current page. */
  page(name?: string, properties?: Properties): void;
  /** Ties this browser to a user id (kept across pages) and records the user's traits. */
  identify(userId: string, traits?: Properties): void;
  /** Ties the user to a company, team or account. */
  group(groupId: string, traits?: Properties): void;
  /** Says that `userId` is the same person as `previousId` (default: the current id). */
  alias(userId: string, previousId?: string): void;
  /** Forgets the user (logout): a new anonymous id and session, no user id. */
  reset(): void;
  /** Sends every unsent event now. */
  flush(): void;
  /**
   * Records the visitor's choice, kept across pages. `true` sends what waited for it;
   * `false` (opt-out) drops unsent events and removes what the tag kept on the device.
   */
  consent(granted: boolean): void;
};

/**
 * A tracker: its methods, which can also be called by name, `tracker('track', 'Signed Up')`,
 * as the script tag's global `sluice(...)` is.
 */
export type Tracker = TrackerMethods &
  (<M extends keyof TrackerMethods>(method: M, ...args: Parameters<TrackerMethods[M]>) => void);
