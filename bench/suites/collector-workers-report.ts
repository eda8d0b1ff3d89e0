// The `--workers` section of BENCHMARKS.md (issue 18).
import { type WorkersResults, workersSummary } from './collector-workers-suite.js';

const TARGET = 1.6;
const round = (n: number) => Math.round(n).toLocaleString('en');
const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');

export function workersReport(results: WorkersResults, label: string): string {
  const tables = results.measurements.map((m) => {
    const rows = workersSummary(m).map(
      (s) =>
        `| ${s.server.label} | ${round(s.eventsPerSecond)} | ${s.ratios.map((r) => r.toFixed(2)).join(', ')} | **${s.ratio.toFixed(2)}** | ${s.cores.toFixed(2)} | ${((s.cores / s.eventsPerSecond) * 1e6).toFixed(1)} µs | ${round(s.syncsPerSecond)} | ${s.p99Ms.toFixed(1)} ms |`,
    );
    const loads = m.rounds
      .get('one-process')!
      .map((r) => r.load.toFixed(1))
      .join(', ');
    const two = workersSummary(m).find((s) => s.server.key === 'threads-2')!.ratio;
    return `**${m.batch} events a request** (1-minute load average as each round began: ${loads}):

| collector | events/s (median) | ratio to one process (same durability), per round | median ratio | cores used | CPU an event | fdatasync/s | p99 |
| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |
${rows.join('\n')}

Target 2 workers ≥ ${TARGET}× one: ${two >= TARGET ? 'met' : '**not met**'} at ${m.batch} events a request.`;
  });
  return `## Collector workers: 1 vs 2 (issue 18)

${label}

The collector with the log + fdatasync: one process (\`--workers 1\`), one worker thread, and
\`--workers 2\` (two threads on one port with SO_REUSEPORT, each appending to its own log
partition). \`sluice collector --workers N\` lets each thread write its own partition;
\`sluice start --workers N\` writes them from the main thread, beside the forwarder that reads
them (its row). Then one process and two workers with the log without fdatasync, to tell the
disk's share from the CPU's. All of them run at once and are loaded in turns,
${results.seconds} s each, ${results.connections} connections, round after round; a ratio compares
runs seconds apart. "Cores used": the server process's CPU time (all threads) per second;
"CPU an event": cores used ÷ events/s (medians), which does not depend on how the scheduler
shares the cores.
wrk (one thread) shares the machine's cores with the server. Load average (1 / 5 / 15 min):
${load(results.loadAtStart)} at the start, ${load(results.loadAtEnd)} at the end.

${tables.join('\n\n')}`;
}
