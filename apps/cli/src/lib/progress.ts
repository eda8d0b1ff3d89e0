// Progress bars for long work, on stderr. On a terminal a bar redraws in place; elsewhere (CI
// logs, pipes) cli-progress prints the same line about once a second instead.
// cli-progress is loaded by the first bar, not with the CLI (a long-running command draws none).
type CliProgress = typeof import('cli-progress');

export interface ProgressBar {
  /** Sets how far the work got, with a short description of the figures so far. */
  update(done: number, detail: string, total?: number): void;
  /** Draws the final state and ends the bar. */
  stop(detail?: string): void;
}

/** A bar for `label` counting `unit`s; `total` may come later (or never, for a counter). */
function progressBar(
  { Presets, SingleBar }: CliProgress,
  label: string,
  unit: string,
  total?: number,
): ProgressBar {
  const counted = `{value}/{total} ${unit}`;
  const bar = new SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | ${counted} | {detail}`,
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 1000,
      hideCursor: process.stderr.isTTY === true,
      etaBuffer: 50,
      fps: 10,
    },
    Presets.shades_classic,
  );
  bar.start(total ?? 0, 0, { detail: '' });
  let last = 0;
  let stopped = false;
  return {
    update(done, detail, newTotal) {
      if (newTotal !== undefined) bar.setTotal(newTotal);
      last = done;
      bar.update(done, { detail });
    },
    stop(detail) {
      if (stopped) return;
      stopped = true;
      if (detail !== undefined) bar.update(last, { detail });
      bar.stop();
    },
  };
}

/**
 * Runs `work` with a bar that is stopped however the work ends: a bar left running keeps
 * redrawing on its timer, and so kept `sluice replay` alive after it had failed.
 */
export async function withProgressBar<T>(
  label: string,
  unit: string,
  total: number | undefined,
  work: (bar: ProgressBar) => Promise<T>,
): Promise<T> {
  const bar = progressBar(await import('cli-progress'), label, unit, total);
  try {
    return await work(bar);
  } finally {
    bar.stop();
  }
}

/** `12.3 MB` */
export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** `4,200` */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
