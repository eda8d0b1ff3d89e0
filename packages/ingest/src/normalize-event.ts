// The Segment spec as its clients write it, onto the one stored form: ids sent as numbers
// become their string form, and the ISO-8601 shapes Segment accepts (a date alone, minutes
// without seconds, `+0100` offsets, no zone at all) become `toISOString()`. Called only for an
// event that failed validation, so the common, already canonical event costs nothing here.
import { ISO_TIME_PATTERN } from '@sluice/schema';

type Fields = Record<string, unknown>;

const ID_FIELDS = ['messageId', 'userId', 'anonymousId', 'groupId', 'previousId'] as const;
const TIME_FIELDS = ['timestamp', 'originalTimestamp', 'sentAt'] as const;

// Date, then optional time (minutes, seconds, fraction) and zone. No zone means UTC, as for
// Segment: Date.parse would read "2012-12-02T00:30" in the server's local time zone.
const LENIENT_ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)? ?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * The ISO-8601 time `value` names, as `YYYY-MM-DDTHH:mm:ss.sssZ`, or undefined when it is not
 * one of the accepted forms (or not a real date: month 13, February 30).
 */
export function normalizeIsoTime(value: string): string | undefined {
  if (ISO_TIME_PATTERN.test(value)) {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
  }
  const m = LENIENT_ISO.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m;
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  const local = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +s, ms);
  const check = new Date(local);
  // Date.UTC rolls over (Feb 30 → Mar 2): such a date is not one.
  if (check.getUTCMonth() !== +mo! - 1 || check.getUTCDate() !== +d! || +h > 23 || +mi > 59) {
    return undefined;
  }
  if (+s > 59) return undefined;
  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes =
      (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0)) * (zone[0] === '-' ? -1 : 1);
  }
  const time = local - offsetMinutes * 60_000;
  return Number.isFinite(time) && Math.abs(time) <= 8.64e15
    ? new Date(time).toISOString()
    : undefined;
}

/**
 * Rewrites, in place, the fields of `event` that the spec allows in another form: numeric ids
 * (finite numbers) to strings, accepted time forms to the canonical one. Returns whether it
 * changed anything. Anything else is left for validation to judge.
 */
export function normalizeSpecFields(event: Fields): boolean {
  let changed = false;
  for (const field of ID_FIELDS) {
    const value = event[field];
    if (typeof value === 'number' && Number.isFinite(value)) {
      event[field] = String(value);
      changed = true;
    }
  }
  for (const field of TIME_FIELDS) {
    const value = event[field];
    // A form the schema takes stays as sent, as it does in an event that needed no repair.
    if (typeof value !== 'string' || ISO_TIME_PATTERN.test(value)) continue;
    const normalized = normalizeIsoTime(value);
    if (normalized !== undefined && normalized !== value) {
      event[field] = normalized;
      changed = true;
    }
  }
  return changed;
}
