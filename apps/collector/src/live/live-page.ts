// The live view's two pages. Static HTML: the data arrives over Server-Sent Events and is put
// into the page by /live/app.js with textContent only, since event fields come from anyone
// holding a public write key.
import { html } from 'hono/html';

/** Only same-origin scripts, styles and form targets; never framed. */
export const LIVE_CSP = "default-src 'self'; frame-ancestors 'none'; form-action 'self'";

const head = (title: string) => html`<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${title}</title>
<link rel="stylesheet" href="/live/style.css">`;

/** The login form. The secret is posted once and answered with a session cookie. */
export function loginPage(error?: string) {
  return html`<!doctype html>
<html lang="en">
<head>
${head('sluice · log in')}
</head>
<body class="login">
<main>
<h1>sluice <span>live events</span></h1>
<form method="post" action="/live/login">
<label for="secret">Admin secret</label>
<input id="secret" name="secret" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Open the live view</button>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<p class="hint"><code>sluice start</code> prints the secret; a collector with a config file takes it from
<code>admin.secretHash</code> (<code>sluice keys create --admin</code> makes one).</p>
</form>
</main>
</body>
</html>
`;
}

/** The live view: totals, a chart of events per minute, and the newest events. */
export function livePage() {
  return html`<!doctype html>
<html lang="en">
<head>
${head('sluice · live events')}
<script src="/live/app.js" defer></script>
</head>
<body>
<header>
<h1>sluice <span>live events</span></h1>
<span id="status" class="status">connecting…</span>
<form method="post" action="/live/logout"><button type="submit">Log out</button></form>
</header>
<section class="totals" aria-label="last 30 minutes">
<div class="total accepted"><strong id="total-accepted">0</strong> accepted</div>
<div class="total quarantined"><strong id="total-quarantined">0</strong> quarantined</div>
<div class="total rejected"><strong id="total-rejected">0</strong> rejected</div>
<div class="total window">in the last 30 minutes</div>
</section>
<figure>
<svg id="chart" viewBox="0 0 720 170" role="img" aria-label="Events per minute"></svg>
<figcaption>Events per minute: <span class="key accepted">accepted (copies included: a resend counts again; storage keeps one)</span>
<span class="key quarantined">quarantined (invalid, kept with the reason)</span>
<span class="key rejected">rejected (requests refused: key, origin, rate, size)</span></figcaption>
</figure>
<section id="plan" hidden>
<h2>Tracking-plan violations by event, since the collector started</h2>
<table>
<thead><tr><th>source</th><th>event</th><th>violations</th><th>last</th></tr></thead>
<tbody id="violations"></tbody>
</table>
</section>
<section id="delivery" hidden>
<h2>Delivery ledger by source and transport, since the collector started</h2>
<table>
<thead><tr><th>source</th><th>transport</th><th>events</th><th>gaps</th><th>delay p50</th><th>delay p99</th></tr></thead>
<tbody id="delivery-rows"></tbody>
</table>
<p class="hint">Delay: event time to arrival, as the bound of its histogram bucket. <code>resend</code>: requests the tag sent again (a retry, or what earlier pages left). Gaps: numbers of visits this collector sees (<code>context.eventIndex</code>) that have not arrived; <code>sluice quality</code> counts them exactly, from the store.</p>
</section>
<p id="skipped" class="skipped" hidden></p>
<table>
<thead><tr><th>time</th><th>result</th><th>source</th><th>type</th><th>name</th><th>page</th><th>detail</th></tr></thead>
<tbody id="events"></tbody>
</table>
<p id="empty" class="empty">Waiting for events… open the <a href="/demo">demo page</a> and press a button.</p>
</body>
</html>
`;
}
