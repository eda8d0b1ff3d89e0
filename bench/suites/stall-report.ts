// The latency runs' loop stalls split by what the main thread did during them (loop-stalls.ts):
// a stall spent waiting for a core is the machine's (wrk and the other servers share the 2
// cores), one on a CPU is the server's own (GC or synchronous work).

import { integer, markdownTable } from '../format.js';
import type { ChildValues } from '../protocol.js';
import { STALL_MS } from '../servers/loop-stalls.js';
import type { CollectorMeasurement } from './collector-suite.js';

/** Stalls of one run: count, and their wall time split, ms (worst: the longest one alone). */
export interface StallSplit {
  count: number;
  totalMs: number;
  gcMs: number;
  cpuMs: number;
  waitMs: number;
  otherMs: number;
  worstMs: number;
  worstGcMs: number;
  worstCpuMs: number;
  worstWaitMs: number;
}

/** The split a collector child reported for the run just read (undefined for the ceilings). */
export function stallSplit(after: ChildValues): StallSplit | undefined {
  if (after.stallCount === undefined) return undefined;
  return {
    count: after.stallCount,
    totalMs: after.stallMs ?? 0,
    gcMs: after.stallGcMs ?? 0,
    cpuMs: after.stallCpuMs ?? 0,
    waitMs: after.stallWaitMs ?? 0,
    otherMs: after.stallOtherMs ?? 0,
    worstMs: after.worstStallMs ?? 0,
    worstGcMs: after.worstStallGcMs ?? 0,
    worstCpuMs: after.worstStallCpuMs ?? 0,
    worstWaitMs: after.worstStallWaitMs ?? 0,
  };
}

const ms = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)} ms`;
const share = (part: number, whole: number) =>
  whole > 0 ? `${Math.round((100 * part) / whole)} %` : '–';

/** One row per latency run: its stalls' time in GC, in our own work, waiting for a core. */
export function stallTable(paced: readonly CollectorMeasurement[]): string {
  const rows = paced.flatMap((m) => {
    const s = m.belowSaturation?.run.stalls;
    if (!s) return [];
    return [
      [
        String(m.batch),
        m.server.label,
        `${integer(s.count)} / ${ms(s.totalMs)}`,
        share(s.cpuMs, s.totalMs),
        share(s.waitMs, s.totalMs),
        share(s.otherMs, s.totalMs),
        share(s.gcMs, s.totalMs),
        `${ms(s.worstMs)}: on a CPU ${ms(s.worstCpuMs)}, waiting ${ms(s.worstWaitMs)}, in GC ${ms(s.worstGcMs)}`,
      ],
    ];
  });
  if (rows.length === 0) return '';
  return `Stalls of each latency run: gaps of more than ${STALL_MS} ms between two ticks of a
1 ms timer on the server's main thread, split by what the kernel says the thread did
meanwhile (\`/proc/thread-self/schedstat\`: time on a CPU, time waiting for one). "On a CPU" is
the server's own work (JS on the loop, or GC on that thread); "waiting for a core" is the
machine's share (wrk and the other servers share the 2 cores); "blocked" is neither (a system
call, a page fault, or V8's GC helper threads that a pause waits for). "In GC pauses" is the
part of the stalls that fell in V8's pauses, whatever the thread did then.

${markdownTable(
  [
    'events/request',
    'mode',
    `stalls > ${STALL_MS} ms: count / time`,
    'on a CPU',
    'waiting for a core',
    'blocked',
    'in GC pauses',
    'longest stall',
  ],
  rows,
)}`;
}
