// The events every benchmark sends: Segment-shaped `track` calls as the browser tag makes
// them, about 550 bytes, in EVENT_VARIANTS variants. The same templates serve the TypeScript
// side and wrk's Lua script, so both send the same bytes; each copy gets its own messageId
// and the current time.

/** Replaced by a unique messageId in each copy. Comes before TIME_SLOT in a template. */
export const ID_SLOT = '@ID@';
/** Replaced by an ISO-8601 time (the event's `timestamp`). */
export const TIME_SLOT = '@TS@';

/** The write key of the benchmark's one source. */
export const BENCH_WRITE_KEY = 'bench-key';
/** The benchmark's one source. */
export const BENCH_SOURCE = 'bench';
/** A Chrome user agent, parsed by the collector like a real one. */
export const BENCH_USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
/** The page's origin, as a browser sends it with a cross-origin beacon. */
export const BENCH_ORIGIN = 'https://shop.example';

const PRODUCTS = [
  ['G-32', 'Games', 'Monopoly: 3rd Edition', 18.99],
  ['B-114', 'Books', 'The Pragmatic Programmer', 41.5],
  ['K-7', 'Kitchen', 'Cast Iron Skillet, 26 cm', 34.0],
  ['T-2031', 'Toys', 'Wooden Train Set (52 pieces)', 59.95],
  ['E-880', 'Electronics', 'USB-C Charger 65 W', 29.99],
  ['S-41', 'Sports', 'Running Shoes Pegasus', 119.0],
  ['H-5', 'Home', 'Linen Duvet Cover, Queen', 89.0],
  ['G-77', 'Garden', 'Pruning Shears', 22.49],
] as const;
const EVENT_NAMES = ['Product Viewed', 'Product Clicked', 'Product Added', 'Checkout Started'];
const REFERRERS = ['https://www.google.com/', 'https://shop.example/', 'https://t.co/x1', ''];
const LOCALES = [
  ['en-US', 'America/New_York'],
  ['de-DE', 'Europe/Berlin'],
  ['fr-FR', 'Europe/Paris'],
  ['en-GB', 'Europe/London'],
] as const;

/** How many different events the templates cycle through (users, products, pages). */
export const EVENT_VARIANTS = 64;

/** A stable pseudo-random hex digit string for `seed` (no randomness: runs stay comparable). */
function hexFor(seed: number, length: number): string {
  let x = Math.imul(seed + 1, 2654435761);
  let out = '';
  while (out.length < length) {
    x = Math.imul(x ^ (x >>> 13), 1274126177);
    x = (x ^ (x >>> 16)) >>> 0;
    out += x.toString(16).padStart(8, '0');
  }
  return out.slice(0, length);
}

/**
 * Event number `variant` (of EVENT_VARIANTS, cycling) as JSON with the two slots in it: the
 * user, product, page, referrer and locale vary, so the events compress like real ones.
 */
export function eventTemplate(variant: number): string {
  const [sku, category, name, price] = PRODUCTS[variant % PRODUCTS.length]!;
  const [locale, timezone] = LOCALES[(variant >> 3) % LOCALES.length]!;
  const anon = hexFor(variant, 32);
  const path = `/products/${sku.toLowerCase()}`;
  return JSON.stringify({
    type: 'track',
    event: EVENT_NAMES[(variant >> 1) % EVENT_NAMES.length],
    messageId: ID_SLOT,
    anonymousId: `${anon.slice(0, 8)}-${anon.slice(8, 12)}-4${anon.slice(13, 16)}-a${anon.slice(17, 20)}-${anon.slice(20)}`,
    timestamp: TIME_SLOT,
    properties: {
      product_id: hexFor(variant % PRODUCTS.length, 24),
      sku,
      category,
      name,
      price,
      currency: 'USD',
      position: variant % 12,
    },
    context: {
      page: {
        path,
        referrer: REFERRERS[variant % REFERRERS.length],
        title: name,
        url: `https://shop.example${path}`,
      },
      locale,
      timezone,
      library: { name: 'sluice', version: '0.1.0' },
    },
  });
}

/** Event number `variant` with `id` and `isoTime` filled in. */
export function segmentEvent(id: string, isoTime: string, variant = 0): string {
  return eventTemplate(variant).replace(ID_SLOT, id).replace(TIME_SLOT, isoTime);
}

/** A `POST /v1/batch` body as the tag sends it: the events, `sentAt` and the write key. */
export function batchBody(events: readonly string[], sentAt: string): string {
  return `{"batch":[${events.join(',')}],"sentAt":"${sentAt}","writeKey":"${BENCH_WRITE_KEY}"}`;
}

/**
 * A body of `size` events (variants `firstVariant`, `firstVariant + 1`, ...) with ids
 * `${prefix}-0`, `${prefix}-1`, ... and the current time.
 */
export function makeBatchBody(prefix: string, size: number, firstVariant = 0): string {
  const now = new Date().toISOString();
  const events = Array.from({ length: size }, (_, i) =>
    segmentEvent(`${prefix}-${i}`, now, firstVariant + i),
  );
  return batchBody(events, now);
}

/** The headers a browser's text/plain sendBeacon carries (and wrk's script copies). */
export const BENCH_HEADERS = {
  'content-type': 'text/plain;charset=UTF-8',
  origin: BENCH_ORIGIN,
  'user-agent': BENCH_USER_AGENT,
} as const;
