import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createPrometheusObserver } from './node-metrics.js';

// Issue 21: the delivery ledger's live figures (the gaps need the store: `sluice quality`).

describe('delivery metrics', () => {
  it('count delivered events by source and transport, and their delay by transport', async () => {
    const prometheus = createPrometheusObserver({ registry: new Registry() });
    const { observer } = prometheus;
    observer.eventsIngested({
      source: 'site',
      accepted: 2,
      quarantined: [],
      transport: 'beacon',
      delaysMs: [200, 40_000],
    });
    observer.eventsIngested({ source: 'site', accepted: 1, quarantined: [], delaysMs: [5] });
    observer.eventsIngested({ source: 'site', accepted: 3, quarantined: [], transport: 'resend' });
    // A label is never what a client chose.
    observer.eventsIngested({ source: 'site', accepted: 1, quarantined: [], transport: 'x"y' });
    const { body } = await prometheus.metrics();
    expect(body).toContain('sluice_events_delivered_total{source="site",transport="beacon"} 2');
    expect(body).toContain('sluice_events_delivered_total{source="site",transport="unknown"} 2');
    expect(body).toContain('sluice_events_delivered_total{source="site",transport="resend"} 3');
    expect(body).toContain('sluice_event_delay_seconds_bucket{le="0.5",transport="beacon"} 1');
    expect(body).toContain('sluice_event_delay_seconds_bucket{le="60",transport="beacon"} 2');
    expect(body).toContain('sluice_event_delay_seconds_count{transport="unknown"} 1');
    expect(body).not.toContain('x\\"y');
  });
});
