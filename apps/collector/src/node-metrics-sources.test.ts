import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  createPrometheusObserver,
  DEFAULT_TOP_SOURCES,
  MAX_SOURCE_LABELS,
} from './node-metrics.js';
import { createUsageCounters } from './source-usage.js';

// Issue 24: with 100,000 sources, one series per source would swamp Prometheus.

const labelsOf = (body: string, metric: string) =>
  new Set(
    [...body.matchAll(new RegExp(`^${metric}\\{[^}]*source="([^"]+)"`, 'gm'))].map((m) => m[1]),
  );

describe('per-source metrics', () => {
  it('name at most MAX_SOURCE_LABELS sources on the event counters, the rest as _other', async () => {
    const prometheus = createPrometheusObserver({ registry: new Registry() });
    for (let i = 0; i < 1_000; i++) {
      prometheus.observer.eventsIngested?.({ source: `site-${i}`, accepted: 1, quarantined: [] });
    }
    const { body } = await prometheus.metrics();
    const labels = labelsOf(body, 'sluice_events_accepted_total');
    expect(labels.size).toBe(MAX_SOURCE_LABELS + 1);
    expect(labels.has('_other')).toBe(true);
    expect(body).toContain(
      `sluice_events_accepted_total{source="_other"} ${1_000 - MAX_SOURCE_LABELS}`,
    );
  });

  it('label every source when asked to', async () => {
    const prometheus = createPrometheusObserver({
      registry: new Registry(),
      perSourceLabels: true,
    });
    for (let i = 0; i < 300; i++) {
      prometheus.observer.eventsIngested?.({ source: `site-${i}`, accepted: 1, quarantined: [] });
    }
    expect(labelsOf((await prometheus.metrics()).body, 'sluice_events_accepted_total').size).toBe(
      300,
    );
  });

  it("report today's events and bytes of the most active sources only", async () => {
    const usage = createUsageCounters();
    const now = Date.now();
    for (let i = 0; i < 500; i++) usage.take(`site-${i}`, null, i, i * 10, now);
    const prometheus = createPrometheusObserver({ registry: new Registry(), usage });
    const { body } = await prometheus.metrics();
    const named = labelsOf(body, 'sluice_source_events_today');
    expect(named).toEqual(
      new Set(Array.from({ length: DEFAULT_TOP_SOURCES }, (_, k) => `site-${499 - k}`)),
    );
    expect(body).toContain('sluice_source_events_today{source="site-499"} 499');
    expect(body).toContain('sluice_source_bytes_today{source="site-499"} 4990');
  });
});
