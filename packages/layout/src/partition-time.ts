const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * When a partition folder's event time ends (ms since the epoch): the end of its `hh=` hour, or
 * of its `dt=` day when it has no hour (quarantine). Undefined for a folder without a valid `dt=`.
 */
export function partitionEndOf(partition: string): number | undefined {
  let day: number | undefined;
  let hour: number | undefined;
  for (const part of partition.split('/')) {
    const dt = /^dt=(\d{4})-(\d{2})-(\d{2})$/.exec(part);
    if (dt) {
      const [year, month, date] = [Number(dt[1]), Number(dt[2]), Number(dt[3])];
      const ms = Date.UTC(year, month - 1, date);
      // Date.UTC rolls 2026-02-31 over into March: such a folder is not a partition.
      if (new Date(ms).getUTCDate() !== date || new Date(ms).getUTCMonth() !== month - 1) return;
      day = ms;
    }
    const hh = /^hh=(\d{2})$/.exec(part);
    if (hh && Number(hh[1]) < 24) hour = Number(hh[1]);
  }
  if (day === undefined) return undefined;
  return hour === undefined ? day + DAY_MS : day + (hour + 1) * HOUR_MS;
}

/** True once a partition can get no more events on time: its event time ended `graceMs` ago. */
export function isPartitionClosed(partition: string, now: number, graceMs: number): boolean {
  const end = partitionEndOf(partition);
  return end !== undefined && now >= end + graceMs;
}
