// One Snowplow tracker-protocol event (its parameters: `e`, `eid`, `dtm`, ...) onto the one
// stored event. What is placed: e → type/event, eid → messageId, dtm/ttm → timestamp, stm →
// sentAt, uid → userId, duid (else tnuid, nuid) → anonymousId, url/page/refr → context.page,
// res → context.screen, vp → context.viewport, lang → context.locale, tz → context.timezone,
// ua → context.userAgent, ip → context.ip (anonymized by enrichment), tv/tna → context.library,
// co/cx → context.snowplow.entities (and the client_session entity's eventIndex, the event's
// number in its session `sid`, → context.eventIndex, for the delivery ledger), ue_pr/ue_px →
// properties (the schema URI in context.snowplow.schema). Every other parameter is kept as sent in `context.snowplow`.
import type { FieldIssue } from '@sluice/schema';
import {
  decodeEntities,
  decodeSelfDescribingEvent,
  igluName,
  type SelfDescribing,
} from './snowplow-json.js';

type Fields = Record<string, unknown>;

/** The stored event, or why the event goes to quarantine. */
export type MappedEvent = { ok: true; event: Fields } | { ok: false; issues: FieldIssue[] };

/** The `event` of a page ping, which Segment's spec has no type for. */
export const PAGE_PING_EVENT = 'Page Ping';
/** The `event` of a transaction (`e=tr`) and of its items (`e=ti`). */
export const TRANSACTION_EVENT = 'Transaction';
export const TRANSACTION_ITEM_EVENT = 'Transaction Item';

// Parameter → property, per event type. Numbers are sent as strings; `true` marks a number.
const PROPERTIES: Record<string, Array<[string, string, boolean]>> = {
  pp: [
    ['pp_mix', 'minXOffset', true],
    ['pp_max', 'maxXOffset', true],
    ['pp_miy', 'minYOffset', true],
    ['pp_may', 'maxYOffset', true],
  ],
  se: [
    ['se_ca', 'category', false],
    ['se_ac', 'action', false],
    ['se_la', 'label', false],
    ['se_pr', 'property', false],
    ['se_va', 'value', true],
  ],
  // Segment's e-commerce names, so the stored transactions read like its Order events.
  tr: [
    ['tr_id', 'order_id', false],
    ['tr_af', 'affiliation', false],
    ['tr_tt', 'total', true],
    ['tr_tx', 'tax', true],
    ['tr_sh', 'shipping', true],
    ['tr_ci', 'city', false],
    ['tr_st', 'state', false],
    ['tr_co', 'country', false],
    ['tr_cu', 'currency', false],
  ],
  ti: [
    ['ti_id', 'order_id', false],
    ['ti_sk', 'sku', false],
    ['ti_nm', 'name', false],
    ['ti_na', 'name', false],
    ['ti_ca', 'category', false],
    ['ti_pr', 'price', true],
    ['ti_qu', 'quantity', true],
    ['ti_cu', 'currency', false],
  ],
};

const EVENT_TYPES = ['pv', 'pp', 'se', 'ue', 'tr', 'ti'];

/** Every version of the entity the browser tracker adds with `contexts: { session: true }`. */
const CLIENT_SESSION_SCHEMA = 'iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-';

/** The client_session entity's `eventIndex` (the event's number in its session, from 1). */
function sessionEventIndex(entities: SelfDescribing[]): number | undefined {
  for (const entity of entities) {
    if (!entity.schema.startsWith(CLIENT_SESSION_SCHEMA)) continue;
    const index = (entity.data as Fields | null)?.eventIndex;
    if (Number.isSafeInteger(index) && (index as number) >= 0) return index as number;
  }
  return undefined;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

function numberOr(value: string): number | string {
  const n = Number(value);
  return value.trim() !== '' && Number.isFinite(n) ? n : value;
}

function isoFromMs(value: unknown): string | undefined {
  const ms = Number(text(value));
  if (!Number.isSafeInteger(ms) || ms <= 0) return undefined;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** `"1280x720"` → `{ width, height }`. */
function size(value: unknown): { width: number; height: number } | undefined {
  const match = /^(\d{1,6})x(\d{1,6})$/.exec(text(value) ?? '');
  return match ? { width: Number(match[1]), height: Number(match[2]) } : undefined;
}

/** `tv` is `<platform>-<version>` (`js-4.10.1`, `node-4.8.0`): the SDK that sent the event. */
function library(tv: string | undefined, tna: string | undefined): Fields | undefined {
  if (tv === undefined && tna === undefined) return undefined;
  const dash = tv?.indexOf('-') ?? -1;
  const lib: Fields = {
    name: tv === undefined ? 'snowplow' : `snowplow-${dash > 0 ? tv.slice(0, dash) : tv}`,
  };
  if (tv !== undefined && dash > 0) lib.version = tv.slice(dash + 1);
  if (tna !== undefined) lib.namespace = tna;
  return lib;
}

function pageContext(url: string | undefined, title: string | undefined, referrer?: string) {
  const page: Fields = {};
  if (url !== undefined) {
    page.url = url;
    try {
      const parsed = new URL(url);
      page.path = parsed.pathname;
      page.search = parsed.search;
    } catch {
      // Not a URL: kept as sent in page.url only.
    }
  }
  if (title !== undefined) page.title = title;
  if (referrer !== undefined) page.referrer = referrer;
  return Object.keys(page).length > 0 ? page : undefined;
}

/** Takes the parameters a mapping places; whatever is left stays in `context.snowplow`. */
function taker(params: Fields) {
  const rest: Fields = {};
  for (const key of Object.keys(params)) if (key !== '__proto__') rest[key] = params[key];
  return {
    rest,
    take(name: string): string | undefined {
      const value = text(rest[name]);
      if (value !== undefined) delete rest[name];
      return value;
    },
  };
}

/** Maps one event's parameters (see the module comment); the input is not changed. */
export function mapSnowplowEvent(params: Fields): MappedEvent {
  const e = text(params.e);
  if (e === undefined || !EVENT_TYPES.includes(e)) {
    const message =
      e === undefined
        ? 'e (the event type) is required'
        : `e "${e}" is not a type sluice maps (pv, pp, se, ue, tr, ti)`;
    return { ok: false, issues: [{ path: 'e', message }] };
  }
  const entities = decodeEntities(params);
  const selfDescribing = e === 'ue' ? decodeSelfDescribingEvent(params) : undefined;
  const issues: FieldIssue[] = [];
  if (entities && !entities.ok) issues.push(entities.issue);
  if (selfDescribing && !selfDescribing.ok) issues.push(selfDescribing.issue);
  if (issues.length > 0) return { ok: false, issues };

  const { rest, take } = taker(params);
  for (const name of ['e', 'co', 'cx', 'ue_pr', 'ue_px']) delete rest[name];
  const event: Fields = { type: e === 'pv' ? 'page' : 'track' };
  const messageId = take('eid');
  if (messageId !== undefined) event.messageId = messageId;
  event.userId = take('uid') ?? null;
  event.anonymousId = take('duid') ?? take('tnuid') ?? take('nuid') ?? null;
  // A true timestamp (ttm) is the event's time as the caller knows it: not skew-corrected,
  // so the send time then stays a Snowplow field only (as Snowplow derives its own time).
  const ttm = isoFromMs(rest.ttm);
  const time = ttm ?? isoFromMs(rest.dtm);
  if (time !== undefined) {
    event.timestamp = time;
    delete rest[ttm !== undefined ? 'ttm' : 'dtm'];
  }
  const sentAt = ttm === undefined ? isoFromMs(rest.stm) : undefined;
  if (sentAt !== undefined) {
    event.sentAt = sentAt;
    delete rest.stm;
  }

  const properties: Fields = {};
  const url = take('url');
  const title = take('page');
  const referrer = take('refr');
  const page = pageContext(url, title, referrer);
  if (e === 'pv') Object.assign(properties, page);
  for (const [param, property, numeric] of PROPERTIES[e] ?? []) {
    const value = take(param);
    if (value !== undefined) properties[property] = numeric ? numberOr(value) : value;
  }
  if (e === 'pp') event.event = PAGE_PING_EVENT;
  else if (e === 'se') event.event = properties.action ?? 'Structured Event';
  else if (e === 'tr') event.event = TRANSACTION_EVENT;
  else if (e === 'ti') event.event = TRANSACTION_ITEM_EVENT;
  const snowplow: Fields = {};
  if (selfDescribing?.ok) {
    const { schema, data } = selfDescribing.value;
    event.event = igluName(schema);
    if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
      Object.assign(properties, data);
    } else properties.data = data;
    snowplow.schema = schema;
  }
  event.properties = properties;

  const context: Fields = {};
  if (page) context.page = page;
  const lib = library(take('tv'), take('tna'));
  if (lib) context.library = lib;
  const userAgent = take('ua');
  if (userAgent !== undefined) context.userAgent = userAgent;
  const ip = take('ip');
  if (ip !== undefined) context.ip = ip;
  const locale = take('lang');
  if (locale !== undefined) context.locale = locale;
  const timezone = take('tz');
  if (timezone !== undefined) context.timezone = timezone;
  const screen = size(rest.res);
  if (screen) {
    context.screen = screen;
    delete rest.res;
  }
  const viewport = size(rest.vp);
  if (viewport) {
    context.viewport = viewport;
    delete rest.vp;
  }
  if (entities?.ok) {
    snowplow.entities = entities.value;
    const eventIndex = sessionEventIndex(entities.value);
    if (eventIndex !== undefined) context.eventIndex = eventIndex;
  }
  context.snowplow = Object.assign(snowplow, rest);
  event.context = context;
  return { ok: true, event };
}
