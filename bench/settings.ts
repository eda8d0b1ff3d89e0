// What `pnpm bench` runs and for how long. The full run stays under 10 minutes; --quick runs
// every suite for a few seconds only (a smoke test: its numbers are noisy).

export const SUITES = [
  'size',
  'collector',
  'workers',
  'forwarder',
  'end-to-end',
  'memory',
  'sources',
  'lake',
  'edge-files',
] as const;
export type SuiteName = (typeof SUITES)[number];

export interface Settings {
  quick: boolean;
  /** Write a CPU profile of every server process into bench/profiles/. */
  cpuProfile: boolean;
  suites: ReadonlySet<SuiteName>;
  collector: {
    batchSizes: readonly number[];
    /** Every server is measured this many times, in turns, per batch size (median reported). */
    rounds: number;
    /** Per measurement; wrk takes whole seconds. */
    seconds: number;
    warmupSeconds: number;
    connections: number;
    /** The fixed-rate run for latency below saturation, as a share of the mode's own max. */
    latencyLoadShare: number;
    latencySeconds: number;
  };
  forwarder: { events: number };
  endToEnd: {
    /** How long the pages send events: one 120 s cycle of the default rotation, less slack. */
    sendMs: number;
    eventsPerSecond: number;
    /** maxFileAgeMs of the "default" pipeline: the forwarder's default, shortened by --quick. */
    defaultAgeMs: number | undefined;
    lowLatency: { maxFileAgeMs: number; readWaitMs: number };
  };
  memory: { seconds: number; batch: number; connections: number };
  /** Events spread over `hours`, drained as each format; each query timed `rounds` times. */
  lake: { events: number; hours: number; rounds: number };
  /**
   * One simulated hour of `events` sent through the Worker and the Node pipeline at once, in
   * 3600 / `timeScale` seconds of wall time; files cut at `fileBytes` or a simulated
   * `fileAgeSeconds` (wall: / timeScale), the same for both.
   */
  edgeFiles: { events: number; timeScale: number; fileBytes: number; fileAgeSeconds: number };
}

const USAGE = `pnpm bench [--quick] [--cpu-prof] [--only=${SUITES.join(',')}]
  --quick      every measurement a few seconds (smoke test; noisy numbers)
  --cpu-prof   write a .cpuprofile of every server process to bench/profiles/ and summarize it
  --only=LIST  run only these suites (comma-separated)`;

/** Parses the command line; prints usage and exits on --help or a mistake. */
export function parseSettings(argv: readonly string[]): Settings {
  let quick = false;
  let cpuProfile = false;
  let suites = new Set<SuiteName>(SUITES);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') continue;
    if (arg === '--quick') quick = true;
    else if (arg === '--cpu-prof') cpuProfile = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const list = arg === '--only' ? (argv[++i] ?? '') : arg.slice('--only='.length);
      const names = list.split(',').filter(Boolean);
      const unknown = names.filter((n) => !(SUITES as readonly string[]).includes(n));
      if (unknown.length > 0 || names.length === 0) exitWithUsage(`unknown suite: ${unknown}`);
      suites = new Set(names as SuiteName[]);
    } else exitWithUsage(arg === '--help' || arg === '-h' ? undefined : `unknown option ${arg}`);
  }
  return {
    quick,
    cpuProfile,
    suites,
    collector: {
      batchSizes: [1, 10, 50],
      rounds: quick ? 1 : 3,
      seconds: quick ? 1 : 2,
      warmupSeconds: 1,
      connections: 50,
      latencyLoadShare: 0.5,
      latencySeconds: quick ? 1 : 3,
    },
    // ~140 MB of NDJSON: two full 64 MiB files and a rest cut by stop().
    forwarder: { events: quick ? 30_000 : 150_000 },
    endToEnd: {
      sendMs: quick ? 8_000 : 115_000,
      eventsPerSecond: 4,
      defaultAgeMs: quick ? 5_000 : undefined,
      lowLatency: { maxFileAgeMs: 1_000, readWaitMs: 200 },
    },
    memory: { seconds: quick ? 5 : 60, batch: 10, connections: 50 },
    // 1M events (~600 MB of NDJSON) over four days: one folder an hour, a filter on one day.
    lake: { events: quick ? 100_000 : 1_000_000, hours: 96, rounds: quick ? 2 : 5 },
    // The 100,000 events in an hour (28 events/s), the hour in 150 s (age 120 s → 5 s).
    edgeFiles: quick
      ? { events: 10_000, timeScale: 120, fileBytes: 1024 * 1024, fileAgeSeconds: 120 }
      : { events: 100_000, timeScale: 24, fileBytes: 1024 * 1024, fileAgeSeconds: 120 },
  };
}

function exitWithUsage(problem: string | undefined): never {
  if (problem) console.error(problem);
  console.log(USAGE);
  process.exit(problem ? 2 : 0);
}
