// What holds up a server's event loop, between two reads: the delay of the loop (how late a
// timer of 1 ms fired: p99 and max) and V8's GC pauses (longest and total). A request's latency
// above its own work and the log's commit is one of these, so the latency table shows them.
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

export interface LoopStalls {
  /** Since the previous call (or since start): loop delay p99 and max, GC pause max and sum, ms. */
  sinceLastRead(): Record<'loopDelayP99Ms' | 'loopDelayMaxMs' | 'gcMaxMs' | 'gcTotalMs', number>;
}

export function watchLoopStalls(): LoopStalls {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let gcMaxMs = 0;
  let gcTotalMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcTotalMs += entry.duration;
      if (entry.duration > gcMaxMs) gcMaxMs = entry.duration;
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  return {
    sinceLastRead() {
      const read = {
        // The histogram holds nanoseconds; the timer's own 1 ms is part of each sample.
        loopDelayP99Ms: delay.count > 0 ? delay.percentile(99) / 1e6 : Number.NaN,
        loopDelayMaxMs: delay.count > 0 ? delay.max / 1e6 : Number.NaN,
        gcMaxMs,
        gcTotalMs,
      };
      delay.reset();
      gcMaxMs = 0;
      gcTotalMs = 0;
      return read;
    },
  };
}
