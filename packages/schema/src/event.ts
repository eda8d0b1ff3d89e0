import { z } from 'zod';
import { MAX_ID_LENGTH, MAX_NAME_LENGTH } from './limits.js';

// Field names follow the Segment spec, so Segment-compatible clients can be served.

const id = z.string().min(1).max(MAX_ID_LENGTH);
const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time' });
/** What the schemas' date-time fields must match: ISO-8601 with seconds and `Z` or an offset. */
export const ISO_TIME_PATTERN: RegExp = isoTime.def.pattern as RegExp;
const dictionary = z.record(z.string(), z.unknown());

const pageContext = z.looseObject({
  path: z.string().optional(),
  referrer: z.string().optional(),
  search: z.string().optional(),
  title: z.string().optional(),
  url: z.string().optional(),
});

const campaignContext = z.looseObject({
  name: z.string().optional(),
  source: z.string().optional(),
  medium: z.string().optional(),
  term: z.string().optional(),
  content: z.string().optional(),
});

/** The `context` object: known fields are typed, others are kept as sent. */
export const contextSchema = z.looseObject({
  page: pageContext.optional(),
  userAgent: z.string().optional(),
  locale: z.string().optional(),
  timezone: z.string().optional(),
  ip: z.string().optional(),
  screen: z
    .looseObject({
      width: z.number().optional(),
      height: z.number().optional(),
      density: z.number().optional(),
    })
    .optional(),
  campaign: campaignContext.optional(),
  library: z.looseObject({ name: z.string(), version: z.string().optional() }).optional(),
  /**
   * The event's number in its session (`sessionId`), from 1, as the client counted it: the
   * sluice tag's, Snowplow's client_session `eventIndex`. A number never stored is a lost
   * event (the delivery ledger, `sluice quality`). Null is accepted: the tag sends it once
   * for a visitor an older tag stored mid-session.
   */
  eventIndex: z.number().int().nonnegative().nullish(),
});

const base = {
  messageId: id,
  userId: id.nullish(),
  anonymousId: id.nullish(),
  timestamp: isoTime.optional(),
  originalTimestamp: isoTime.optional(),
  sentAt: isoTime.optional(),
  receivedAt: isoTime.optional(),
  context: contextSchema.optional(),
  integrations: dictionary.optional(),
};

const trackEvent = z.looseObject({
  ...base,
  type: z.literal('track'),
  event: z.string().min(1).max(MAX_NAME_LENGTH),
  properties: dictionary.optional(),
});
const pageEvent = z.looseObject({
  ...base,
  type: z.literal('page'),
  name: z.string().max(MAX_NAME_LENGTH).nullish(),
  category: z.string().max(MAX_NAME_LENGTH).nullish(),
  properties: dictionary.optional(),
});
const screenEvent = z.looseObject({
  ...base,
  type: z.literal('screen'),
  name: z.string().max(MAX_NAME_LENGTH).nullish(),
  properties: dictionary.optional(),
});
const identifyEvent = z.looseObject({
  ...base,
  type: z.literal('identify'),
  traits: dictionary.optional(),
});
const groupEvent = z.looseObject({
  ...base,
  type: z.literal('group'),
  groupId: id,
  traits: dictionary.optional(),
});
const aliasEvent = z.looseObject({ ...base, type: z.literal('alias'), previousId: id, userId: id });

/** The event types of the Segment spec. */
export const EVENT_TYPES = ['track', 'page', 'screen', 'identify', 'group', 'alias'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** One event, as stored: Segment spec fields, unknown fields kept. */
export const eventSchema = z
  .discriminatedUnion(
    'type',
    [trackEvent, pageEvent, screenEvent, identifyEvent, groupEvent, aliasEvent],
    {
      error: (issue) =>
        issue.code === 'invalid_union'
          ? `type must be one of ${EVENT_TYPES.join(', ')}`
          : undefined,
    },
  )
  .refine((e) => e.userId != null || e.anonymousId != null, {
    message: 'userId or anonymousId is required',
    path: ['userId'],
  });

export type SluiceEvent = z.output<typeof eventSchema>;
export type EventContext = z.output<typeof contextSchema>;
