// Flag values of the bulk commands, turned into numbers (the zod schemas check their ranges).

/** A whole number flag; the zod schema checks its range. */
export function integer(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new Error(`${flag} must be a whole number, got "${value}"`);
  return Number(value);
}

/** An ISO-8601 time flag, in ms since the epoch. */
export function time(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`${flag} must be an ISO-8601 time, got "${value}"`);
  return ms;
}

/** A size flag in MiB (fractions allowed), in bytes. */
export function mebibytes(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const mib = Number(value);
  if (!(mib > 0)) throw new Error(`--max-file-mb must be a positive number, got "${value}"`);
  return Math.round(mib * 1024 * 1024);
}
