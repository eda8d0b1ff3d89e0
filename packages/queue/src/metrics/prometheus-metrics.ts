// The few shapes of prom-client metric the collector, forwarder and MQTT bridge build, in one
// place: they all sit on @sluice/queue, and this subpath keeps prom-client out of the Workers build.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Metric makers that register in one registry. */
export interface MetricsIn {
  /** A counter fed by the caller (`inc`), with these labels. */
  counter<L extends string = never>(
    name: string,
    help: string,
    labelNames?: readonly L[],
  ): Counter<L>;
  /** A histogram of durations in seconds (or any value) over `buckets`. */
  histogram<L extends string = never>(
    name: string,
    help: string,
    buckets: number[],
    labelNames?: readonly L[],
  ): Histogram<L>;
  /** A gauge read at each scrape; `undefined` leaves it unset (nothing known yet). */
  gauge(name: string, help: string, read: () => number | undefined): Gauge;
  /**
   * A counter that follows a total kept elsewhere (stats), read at each scrape: it adds the
   * increase since the last scrape and never goes down when the total does (a source that ends
   * takes its totals with it).
   */
  total(name: string, help: string, read: () => number | undefined): Counter;
}

/** Makers of metrics registered in `registry`. */
export function metricsIn(registry: Registry): MetricsIn {
  const registers = [registry];
  return {
    counter: (name, help, labelNames = []) => new Counter({ name, help, labelNames, registers }),
    histogram: (name, help, buckets, labelNames = []) =>
      new Histogram({ name, help, labelNames, buckets, registers }),
    gauge: (name, help, read) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          const value = read();
          if (value !== undefined) this.set(value);
        },
      }),
    total(name, help, read) {
      let seen = 0;
      return new Counter({
        name,
        help,
        registers,
        collect() {
          const value = read();
          if (value === undefined) return;
          if (value > seen) this.inc(value - seen);
          seen = Math.max(seen, value);
        },
      });
    },
  };
}
