// The page Chromium opens in the end-to-end run, and the script that records when the tag
// hands each batch to the browser.

import { BENCH_WRITE_KEY } from '../events/segment-event.js';

/** A page that loads the tag and tracks `eventsPerSecond` events for `sendMs`. */
export function benchPage(collectorUrl: string, eventsPerSecond: number, sendMs: number): string {
  return `<!doctype html><html><head><title>sluice bench</title>
<script>window.sluice=window.sluice||function(){(sluice.q=sluice.q||[]).push(arguments)};</script>
<script async src="${collectorUrl}/s.js" data-key="${BENCH_WRITE_KEY}"></script></head>
<body><h1>sluice bench</h1><script>
const until = Date.now() + ${sendMs};
let seq = 0;
const timer = setInterval(() => {
  if (Date.now() >= until) return clearInterval(timer);
  sluice('track', 'Bench Tick', { seq: seq++, path: location.pathname });
}, ${Math.round(1000 / eventsPerSecond)});
</script></body></html>`;
}

/** One hand-over of a batch to the browser: when, and the messageIds in it. */
export interface SentBatch {
  t: number;
  ids: string[];
}

/**
 * Runs before any page script: wraps sendBeacon and fetch so every /v1/batch body is noted
 * with the time it was handed over (window.__benchSent). A body that falls back from the
 * beacon to fetch is noted twice; the earlier time counts.
 */
export const RECORD_SENDS_SCRIPT = `(() => {
  const sent = (window.__benchSent = []);
  const note = (url, body) => {
    try {
      if (String(url).includes('/v1/batch') && typeof body === 'string') {
        sent.push({ t: Date.now(), ids: JSON.parse(body).batch.map((e) => e.messageId) });
      }
    } catch {}
  };
  const beacon = navigator.sendBeacon.bind(navigator);
  navigator.sendBeacon = (url, data) => (note(url, data), beacon(url, data));
  const originalFetch = window.fetch.bind(window);
  window.fetch = (input, init) => (note(input, init && init.body), originalFetch(input, init));
})();`;
