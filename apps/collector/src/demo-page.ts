import { html } from 'hono/html';

/** Only same-origin scripts run on the demo page: the tag and the button handlers. */
export const DEMO_CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'";

/**
 * A page to try the tag by hand: it loads `/s.js` configured by data attributes (the tag
 * sends to the origin it was loaded from) and `/demo.js`, which wires the buttons.
 */
export function demoPage(writeKey: string) {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sluice demo</title>
<style>body{font:16px system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}button{margin:.25rem}pre{background:#f4f4f4;padding:.5rem;min-height:4rem}</style>
<script src="/s.js" data-key="${writeKey}" defer></script>
<script src="/demo.js" defer></script>
</head>
<body>
<h1>sluice demo</h1>
<p>This page loaded the tag from <code>/s.js</code> and recorded a page view. Each button calls the tag;
events are sent in batches (at once with <em>Flush</em>, or when you leave the page).
Add this page's origin to the source's <code>allowedOrigins</code>, or the collector refuses them.</p>
<p>
<button type="button" data-call="track" data-event="Demo Button Clicked">track('Demo Button Clicked')</button>
<button type="button" data-call="track" data-event="Signed Up">track('Signed Up')</button>
<button type="button" data-call="page">page()</button>
<button type="button" data-call="identify">identify('demo-user')</button>
<button type="button" data-call="flush">flush()</button>
</p>
<pre id="log"></pre>
</body>
</html>
`;
}

/** The demo's button handlers, served as `/demo.js` so the page needs no inline script. */
export const DEMO_SCRIPT = `document.addEventListener('click', function (e) {
  var button = e.target.closest && e.target.closest('button[data-call]');
  if (!button) return;
  var log = document.getElementById('log');
  var sluice = window.sluice;
  if (!sluice) { log.textContent += 'the tag is not loaded (is /s.js served?)\\n'; return; }
  var call = button.dataset.call;
  if (call === 'track') sluice.track(button.dataset.event, { demo: true, at: new Date().toISOString() });
  else if (call === 'identify') sluice.identify('demo-user', { plan: 'demo' });
  else sluice[call]();
  log.textContent += call + (button.dataset.event ? " '" + button.dataset.event + "'" : '') + '\\n';
});
`;
