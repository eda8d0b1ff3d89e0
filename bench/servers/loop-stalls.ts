// What holds up a server's event loop, between two reads: the delay of the loop (how late a
// timer of 1 ms fired: p99 and max) and V8's GC pauses (longest and total). A request's latency
// above its own work and the log's commit is one of these, so the latency table shows them.
//
// Each stall of the main thread (a gap of more than STALL_MS between two ticks of a 1 ms timer)
// is also split by what the thread did meanwhile, from the kernel's /proc/thread-self/schedstat:
// on a CPU (our own work: JS, or GC on this thread), waiting for a core (the machine: wrk and
// the other processes share the 2 cores), and neither (blocked: a system call, a page fault,
// or V8's GC helper threads the pause waits for). Apart, how much of it fell in GC pauses.
import { openSync, readSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

/** A gap between two ticks counted as a stall (a request waiting this long misses 10 ms). */
export const STALL_MS = 5;

type StallKey =
  | 'stallCount'
  | 'stallMs'
  | 'stallGcMs'
  | 'stallCpuMs'
  | 'stallWaitMs'
  | 'stallOtherMs'
  | 'worstStallMs'
  | 'worstStallGcMs'
  | 'worstStallCpuMs'
  | 'worstStallWaitMs';

export interface LoopStalls {
  /** Since the previous call (or since start): loop delay p99 and max, GC pause max and sum, ms. */
  sinceLastRead(): Record<
    'loopDelayP99Ms' | 'loopDelayMaxMs' | 'gcMaxMs' | 'gcTotalMs' | StallKey,
    number
  >;
}

/** Reads this thread's time on a CPU and waiting for one, ms (Linux; zeros elsewhere). */
function threadSchedule(): () => { cpuMs: number; waitMs: number } {
  let fd: number;
  try {
    fd = openSync('/proc/thread-self/schedstat', 'r');
  } catch {
    return () => ({ cpuMs: 0, waitMs: 0 });
  }
  const buffer = Buffer.alloc(128);
  return () => {
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    const [cpu, wait] = buffer.toString('latin1', 0, n).split(' ');
    return { cpuMs: Number(cpu) / 1e6, waitMs: Number(wait) / 1e6 };
  };
}

interface Stall {
  start: number;
  end: number;
  cpuMs: number;
  waitMs: number;
}

export function watchLoopStalls(): LoopStalls {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let gcMaxMs = 0;
  let gcTotalMs = 0;
  const gcPauses: Array<{ start: number; end: number }> = [];
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcTotalMs += entry.duration;
      if (entry.duration > gcMaxMs) gcMaxMs = entry.duration;
      if (entry.duration >= 1) {
        gcPauses.push({ start: entry.startTime, end: entry.startTime + entry.duration });
      }
    }
  });
  gc.observe({ entryTypes: ['gc'] });

  const schedule = threadSchedule();
  const stalls: Stall[] = [];
  let last = performance.now();
  let lastSchedule = schedule();
  const ticker = setInterval(() => {
    const now = performance.now();
    const at = schedule();
    // The timer's own 1 ms is not a stall.
    if (now - last - 1 > STALL_MS) {
      stalls.push({
        start: last,
        end: now,
        cpuMs: at.cpuMs - lastSchedule.cpuMs,
        waitMs: at.waitMs - lastSchedule.waitMs,
      });
    }
    last = now;
    lastSchedule = at;
  }, 1);
  ticker.unref();

  function splitStalls(): Record<StallKey, number> {
    const totals: Record<StallKey, number> = {
      stallCount: stalls.length,
      stallMs: 0,
      stallGcMs: 0,
      stallCpuMs: 0,
      stallWaitMs: 0,
      stallOtherMs: 0,
      worstStallMs: 0,
      worstStallGcMs: 0,
      worstStallCpuMs: 0,
      worstStallWaitMs: 0,
    };
    for (const stall of stalls) {
      const wall = stall.end - stall.start;
      // GC is wall time inside the stall; it overlaps the rest (a pause can wait for a core too).
      let gcMs = 0;
      for (const pause of gcPauses) {
        gcMs += Math.max(0, Math.min(pause.end, stall.end) - Math.max(pause.start, stall.start));
      }
      const cpuMs = Math.min(stall.cpuMs, wall);
      const waitMs = Math.min(stall.waitMs, wall - cpuMs);
      totals.stallMs += wall;
      totals.stallGcMs += gcMs;
      totals.stallCpuMs += cpuMs;
      totals.stallWaitMs += waitMs;
      totals.stallOtherMs += wall - cpuMs - waitMs;
      if (wall > totals.worstStallMs) {
        totals.worstStallMs = wall;
        totals.worstStallGcMs = gcMs;
        totals.worstStallCpuMs = cpuMs;
        totals.worstStallWaitMs = waitMs;
      }
    }
    return totals;
  }

  return {
    sinceLastRead() {
      const read = {
        // The histogram holds nanoseconds; the timer's own 1 ms is part of each sample.
        loopDelayP99Ms: delay.count > 0 ? delay.percentile(99) / 1e6 : Number.NaN,
        loopDelayMaxMs: delay.count > 0 ? delay.max / 1e6 : Number.NaN,
        gcMaxMs,
        gcTotalMs,
        ...splitStalls(),
      };
      delay.reset();
      gcMaxMs = 0;
      gcTotalMs = 0;
      stalls.length = 0;
      gcPauses.length = 0;
      return read;
    },
  };
}
