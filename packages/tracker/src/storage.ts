// localStorage throws in some privacy modes and sandboxed iframes, and may be full. Then the
// tracker's memory is all it has, for this page: callers keep their own copy of each value.
// `device` says whether the tracker may use the device's storage at all (not when cookieless
// or before consent): when it may not, these do not touch it. (Named properties of Storage
// are getItem, setItem and removeItem in fewer bytes; the tag's keys are never its methods.)

/** Reads `key` from localStorage, if `device` allows it and it can. */
export const recall = (key: string, device: unknown): string | undefined => {
  try {
    return device ? localStorage[key] : undefined;
  } catch {}
};

/**
 * Keeps `value` in localStorage (`undefined` or '' removes it) when `device` allows;
 * otherwise leaves localStorage alone. Returns `value`.
 */
export const keep = <T extends string | undefined>(key: string, value: T, device: unknown): T => {
  try {
    if (device) {
      if (value) localStorage[key] = value;
      else delete localStorage[key];
    }
  } catch {}
  return value;
};
