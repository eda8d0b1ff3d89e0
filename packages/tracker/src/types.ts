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
};

/** What the tag knows about the page and the browser, sent as each event's `context`. */
export type TrackerContext = {
  page: { url: string; path: string; referrer: string; title: string; search: string };
  locale: string;
  timezone: string;
  screen: { width: number; height: number };
  library: { name: 'sluice'; version: string };
};

/** Fields every event carries (Segment spec names). */
export type BaseEvent = {
  /** 21 URL-safe random characters; storage drops repeats by it. */
  messageId: string;
  /** Random id kept in localStorage (`sluice_aid`) across pages. */
  anonymousId: string;
  /** Set once `identify` was called, kept across pages. */
  userId?: string;
  /** When the event happened (ISO-8601). */
  timestamp: string;
  context: TrackerContext;
};

export type TrackEvent = BaseEvent & { type: 'track'; event: string; properties?: Properties };
export type PageEvent = BaseEvent & { type: 'page'; name?: string; properties?: Properties };
export type IdentifyEvent = BaseEvent & { type: 'identify'; traits?: Properties };

/** One event as the tracker sends it. */
export type TrackerEvent = TrackEvent | PageEvent | IdentifyEvent;

/** The tracker's API. No method ever throws. */
export type Tracker = {
  /** Records a user action, e.g. `track('Signed Up', { plan: 'pro' })`. */
  track(event: string, properties?: Properties): void;
  /** Records a page view of the current page. */
  page(name?: string, properties?: Properties): void;
  /** Ties this browser to a user id (kept across pages) and records the user's traits. */
  identify(userId: string, traits?: Properties): void;
  /** Sends every unsent event now. */
  flush(): void;
};
