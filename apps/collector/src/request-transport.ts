// How a browser carried a request, told by its Fetch Metadata headers, so the delivery ledger
// can compare transports without the tag spending bytes on saying it. Chromium, Firefox and
// Safari 16.4+ send them to secure origins (HTTPS, localhost, 127.0.0.1).

/** `beacon` (navigator.sendBeacon), `fetch` (fetch or XHR) or `pixel` (an image request). */
export type RequestTransport = 'beacon' | 'fetch' | 'pixel';

/** A request's transport, or `resend`: one the tag marked as carrying events sent before. */
export type DeliveryTransport = RequestTransport | 'resend';

/**
 * `resend` when the URL has an `r` parameter (the tag's `/v1/batch?r`: a retry after a failed
 * request, or what earlier pages of the site left unsent), else the request's transport, so
 * the ledger shows what came late because it had to be sent again apart from fetch and beacon.
 */
export function deliveryTransport(url: string, headers: Headers): DeliveryTransport | undefined {
  const query = url.indexOf('?');
  if (query >= 0 && new URLSearchParams(url.slice(query)).has('r')) return 'resend';
  return requestTransport(headers);
}

/**
 * The transport of a request from its `Sec-Fetch-Mode` and `Sec-Fetch-Dest`: a text/plain
 * sendBeacon is a `no-cors` request to no destination, fetch and XHR are `cors` (or
 * `same-origin`), an `<img>` pixel has the destination `image`. Undefined without the headers:
 * a server SDK, an older browser, plain HTTP to another host.
 */
export function requestTransport(headers: Headers): RequestTransport | undefined {
  const mode = headers.get('sec-fetch-mode');
  if (headers.get('sec-fetch-dest') === 'image') return 'pixel';
  if (mode === 'no-cors') return 'beacon';
  if (mode === 'cors' || mode === 'same-origin') return 'fetch';
  return undefined;
}

const DELIVERY_TRANSPORTS = new Set<string>(['beacon', 'fetch', 'pixel', 'resend']);

/** A report's transport as a label: one of the collector's own values, else `unknown`. */
export function transportLabel(transport: string | undefined): DeliveryTransport | 'unknown' {
  return DELIVERY_TRANSPORTS.has(transport ?? '') ? (transport as DeliveryTransport) : 'unknown';
}
