import { expect, it } from 'vitest';
import { formatProgress, throttle } from './progress-line.js';

it('reports share done, counts, megabytes, files and rates', () => {
  expect(
    formatProgress({
      done: 4_200,
      total: 10_000,
      unit: 'events',
      bytes: 12_300_000,
      files: 3,
      elapsedMs: 500,
    }),
  ).toBe('42.0% 4,200/10,000 events, 12.3 MB read, 3 files, 8,400 events/s, 24.6 MB/s');
  expect(
    formatProgress({ done: 0, total: 0, unit: 'positions', bytes: 0, files: 0, elapsedMs: 0 }),
  ).toBe('100.0% 0/0 positions, 0.0 MB read, 0 files, 0 positions/s, 0.0 MB/s');
});

it('prints at most once per interval, and always the final report', () => {
  let now = 0;
  const printed: number[] = [];
  const report = throttle<number>(
    1_000,
    () => now,
    (n) => printed.push(n),
  );
  for (let n = 1; n <= 25; n++) {
    now += 100;
    report(n);
  }
  report(26, true);
  expect(printed).toEqual([1, 11, 21, 26]);
  // The core's last report and the command's final one are the same value: printed once.
  now += 5_000;
  const done = { n: 27 };
  const reportObject = throttle<{ n: number }>(
    1_000,
    () => now,
    (v) => printed.push(v.n),
  );
  reportObject(done);
  reportObject(done, true);
  expect(printed).toEqual([1, 11, 21, 26, 27]);
});
