// The live view's script and style, served as files because the page's CSP allows no inline
// code. Plain ES2017 with no build step: it is small and runs in any current browser.

export const LIVE_STYLE = `
:root{--accepted:#1f9d55;--flagged:#7a5af8;--quarantined:#d98e04;--rejected:#d2342b;--muted:#667085}
*{box-sizing:border-box}
body{font:14px/1.4 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:1rem 1.5rem;color:#1d2939}
h1{font-size:1.3rem;margin:0}h1 span{color:var(--muted);font-weight:400}
header{display:flex;align-items:center;gap:1rem}header form{margin-left:auto}
.status{padding:.1rem .6rem;border-radius:1rem;background:#eef;color:var(--muted);font-size:.85rem}
.status.live{background:#e3f6ea;color:var(--accepted)}.status.down{background:#fde8e7;color:var(--rejected)}
.totals{display:flex;gap:1.5rem;align-items:baseline;margin:1rem 0 .25rem}
.total strong{font-size:1.6rem;margin-right:.25rem}.total.window{color:var(--muted)}
.accepted strong{color:var(--accepted)}.quarantined strong{color:var(--quarantined)}.rejected strong{color:var(--rejected)}
figure{margin:0 0 1rem}svg{width:100%;height:auto;background:#fafbfc;border:1px solid #eaecf0;border-radius:6px}
figcaption{color:var(--muted);font-size:.85rem}
.key::before{content:"";display:inline-block;width:.7rem;height:.7rem;margin:0 .3rem 0 .6rem;border-radius:2px;vertical-align:-1px}
.key.accepted::before{background:var(--accepted)}.key.quarantined::before{background:var(--quarantined)}.key.rejected::before{background:var(--rejected)}
.bar-accepted{fill:var(--accepted)}.bar-quarantined{fill:var(--quarantined)}.bar-rejected{fill:var(--rejected)}
.axis{fill:var(--muted);font-size:10px}.grid{stroke:#eaecf0}
table{width:100%;border-collapse:collapse;font-size:.9rem}
th{text-align:left;color:var(--muted);font-weight:500;border-bottom:1px solid #eaecf0;padding:.3rem .5rem}
td{padding:.3rem .5rem;border-bottom:1px solid #f2f4f7;vertical-align:top;overflow-wrap:anywhere}
td.result{font-weight:600}
tr.result-accepted td.result{color:var(--accepted)}tr.result-flagged td.result{color:var(--flagged)}tr.result-quarantined td.result{color:var(--quarantined)}tr.result-rejected td.result{color:var(--rejected)}
tr.fresh{animation:fresh 1.5s ease-out}@keyframes fresh{from{background:#fff7d6}to{background:transparent}}
td.page{max-width:22rem;color:var(--muted)}
.empty,.skipped{color:var(--muted)}
#plan,#delivery{margin:0 0 1rem}#plan h2,#delivery h2{font-size:1rem;margin:0 0 .25rem}td.count{text-align:right;font-variant-numeric:tabular-nums}
body.login main{max-width:24rem;margin:15vh auto}
body.login form{display:flex;flex-direction:column;gap:.5rem;margin-top:1rem}
input,button{font:inherit;padding:.4rem .6rem}
.error{color:var(--rejected)}.hint{color:var(--muted);font-size:.85rem}
`;

export const LIVE_SCRIPT = `(function () {
  'use strict';
  var SVG = 'http://www.w3.org/2000/svg';
  var KINDS = ['accepted', 'quarantined', 'rejected'];
  var MINUTE = 60000, SLOTS = 30, MAX_ROWS = 200;
  var W = 720, H = 170, TOP = 12, BOTTOM = 22, LEFT = 40;
  var rows = document.getElementById('events');
  var statusEl = document.getElementById('status');
  var chart = document.getElementById('chart');
  var empty = document.getElementById('empty');
  var skippedEl = document.getElementById('skipped');
  var plan = document.getElementById('plan');
  var violations = document.getElementById('violations');
  var delivery = document.getElementById('delivery');
  var deliveryRows = document.getElementById('delivery-rows');
  var skipped = 0;

  function clock(ms) {
    var d = new Date(ms);
    return [d.getHours(), d.getMinutes(), d.getSeconds()].map(function (n) {
      return n < 10 ? '0' + n : String(n);
    }).join(':');
  }
  function status(text, cls) { statusEl.textContent = text; statusEl.className = 'status ' + cls; }
  function cell(tr, value, cls) {
    var td = document.createElement('td');
    td.textContent = value == null ? '' : String(value);
    if (cls) td.className = cls;
    tr.appendChild(td);
  }
  function addRows(events) {
    for (var i = 0; i < events.length; i++) {
      var e = events[i];
      var tr = document.createElement('tr');
      tr.className = 'fresh result-' + e.result;
      cell(tr, clock(e.at)); cell(tr, e.result, 'result'); cell(tr, e.source); cell(tr, e.type);
      cell(tr, e.name); cell(tr, e.page, 'page'); cell(tr, e.detail);
      if (e.messageId) tr.title = 'messageId ' + e.messageId;
      rows.insertBefore(tr, rows.firstChild);
    }
    while (rows.childNodes.length > MAX_ROWS) rows.removeChild(rows.lastChild);
    empty.hidden = rows.childNodes.length > 0;
  }
  // Refills a section's table, one row per item; the section shows only when there are some.
  function showTable(section, body, list, fill) {
    section.hidden = !list || list.length === 0;
    if (section.hidden) return;
    while (body.firstChild) body.removeChild(body.firstChild);
    list.forEach(function (item) {
      var tr = document.createElement('tr');
      fill(tr, item);
      body.appendChild(tr);
    });
  }
  function showViolations(list) {
    showTable(plan, violations, list, function (tr, v) {
      cell(tr, v.source); cell(tr, v.event); cell(tr, v.count.toLocaleString(), 'count'); cell(tr, clock(v.last));
    });
  }
  // A bucket bound: null is past the last one (7 days), undefined no delay known.
  function delay(ms) {
    if (ms === undefined) return '';
    if (ms === null) return '> 7 d';
    var units = [[86400000, ' d'], [3600000, ' h'], [60000, ' min'], [1000, ' s'], [1, ' ms']];
    for (var i = 0; i < units.length; i++) if (ms >= units[i][0]) return '\\u2264 ' + ms / units[i][0] + units[i][1];
    return '\\u2264 ' + ms + ' ms';
  }
  function showDelivery(list) {
    showTable(delivery, deliveryRows, list, function (tr, d) {
      tr.setAttribute('data-transport', d.transport);
      cell(tr, d.source); cell(tr, d.transport); cell(tr, d.events.toLocaleString(), 'count');
      cell(tr, d.gaps.toLocaleString(), 'count'); cell(tr, delay(d.delayP50Ms), 'count'); cell(tr, delay(d.delayP99Ms), 'count');
    });
  }
  function svg(name, attrs, text) {
    var el = document.createElementNS(SVG, name);
    for (var k in attrs) el.setAttribute(k, String(attrs[k]));
    if (text != null) el.textContent = text;
    chart.appendChild(el);
    return el;
  }
  function draw(counts, now) {
    var last = Math.floor(now / MINUTE) * MINUTE, byMinute = {}, max = 0;
    var totals = { accepted: 0, quarantined: 0, rejected: 0 };
    counts.forEach(function (c) {
      byMinute[c.minute] = c;
      KINDS.forEach(function (k) { totals[k] += c[k]; max = Math.max(max, c[k]); });
    });
    KINDS.forEach(function (k) { document.getElementById('total-' + k).textContent = totals[k].toLocaleString(); });
    while (chart.firstChild) chart.removeChild(chart.firstChild);
    var plot = H - TOP - BOTTOM, slot = (W - LEFT) / SLOTS, bar = (slot - 4) / 3, top = Math.max(max, 1);
    svg('line', { x1: LEFT, x2: W, y1: TOP, y2: TOP, class: 'grid' });
    svg('line', { x1: LEFT, x2: W, y1: TOP + plot, y2: TOP + plot, class: 'grid' });
    svg('text', { x: LEFT - 6, y: TOP + 4, 'text-anchor': 'end', class: 'axis' }, top.toLocaleString());
    svg('text', { x: LEFT - 6, y: TOP + plot + 4, 'text-anchor': 'end', class: 'axis' }, '0');
    for (var s = 0; s < SLOTS; s++) {
      var minute = last - (SLOTS - 1 - s) * MINUTE, c = byMinute[minute], x = LEFT + s * slot + 2;
      if (s % 5 === 0) svg('text', { x: x + slot / 2, y: H - 6, 'text-anchor': 'middle', class: 'axis' }, clock(minute).slice(0, 5));
      if (!c) continue;
      KINDS.forEach(function (k, i) {
        if (!c[k]) return;
        var h = Math.max(2, (c[k] / top) * plot);
        var rect = svg('rect', { x: x + i * bar, y: TOP + plot - h, width: bar, height: h, class: 'bar-' + k, 'data-kind': k, 'data-count': c[k] });
        var title = document.createElementNS(SVG, 'title');
        title.textContent = clock(minute).slice(0, 5) + ' ' + k + ': ' + c[k];
        rect.appendChild(title);
      });
    }
  }
  function connect() {
    var source = new EventSource('/live/events');
    source.addEventListener('open', function () { status('live', 'live'); });
    source.addEventListener('update', function (message) {
      var update = JSON.parse(message.data);
      addRows(update.events);
      if (update.skipped) {
        skipped += update.skipped;
        skippedEl.hidden = false;
        skippedEl.textContent = skipped.toLocaleString() + ' events came too fast to list one by one; the chart counts them all.';
      }
      draw(update.counts, update.now);
      showViolations(update.violations);
      showDelivery(update.delivery);
      document.body.setAttribute('data-updates', String(Number(document.body.getAttribute('data-updates') || 0) + 1));
    });
    source.addEventListener('error', function () {
      // EventSource retries by itself; CLOSED means it gave up (the session ended).
      if (source.readyState === EventSource.CLOSED) status('disconnected: reload the page to log in again', 'down');
      else status('reconnecting…', 'down');
    });
  }
  connect();
})();
`;
