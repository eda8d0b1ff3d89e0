/** What one progress line reports. */
export interface ProgressFigures {
  /** Events (or positions) handled so far, and how many there are in all when known. */
  done: number;
  total?: number;
  unit: string;
  /** Input bytes read so far. */
  bytes: number;
  /** Files uploaded so far. */
  files: number;
  elapsedMs: number;
}

/**
 * `42.0% 4,200/10,000 events, 12.3 MB read, 3 files, 8,400 events/s, 24.6 MB/s`: the line the bulk
 * commands print to stderr while they run.
 */
export function formatProgress(figures: ProgressFigures): string {
  const { done, total, unit, bytes, files, elapsedMs } = figures;
  const seconds = Math.max(elapsedMs, 1) / 1000;
  const count =
    total === undefined
      ? `${number(done)} ${unit}`
      : `${percent(done, total)} ${number(done)}/${number(total)} ${unit}`;
  return `${count}, ${megabytes(bytes)} MB read, ${number(files)} files, ${number(done / seconds)} ${unit}/s, ${megabytes(bytes / seconds)} MB/s`;
}

/**
 * Calls `print` at most once per `everyMs` (by `now`), and always for a final report unless that
 * very value was just printed.
 */
export function throttle<T>(
  everyMs: number,
  now: () => number,
  print: (value: T) => void,
): (value: T, final?: boolean) => void {
  let last = Number.NEGATIVE_INFINITY;
  let lastValue: T | undefined;
  return (value, final = false) => {
    const at = now();
    if (final ? value === lastValue : at - last < everyMs) return;
    last = at;
    lastValue = value;
    print(value);
  };
}

function percent(done: number, total: number): string {
  return `${total === 0 ? '100.0' : ((100 * done) / total).toFixed(1)}%`;
}

function number(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}
