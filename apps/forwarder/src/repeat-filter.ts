// Drops a message repeated while its first copy is still in the same buffer: exact and cheap.
// The forwarder's repeats across files and restarts are handled by dedup/repeat-window.ts.

/** Remembers the message ids of one buffer. */
export interface RepeatFilter {
  /** True when `id` was seen since the last reset; otherwise remembers it and returns false. */
  isRepeat(id: string): boolean;
  /** Forgets every id (the buffer was flushed). */
  reset(): void;
  readonly size: number;
}

/** A repeat filter over the ids of one in-memory buffer. */
export function createRepeatFilter(): RepeatFilter {
  const seen = new Set<string>();
  return {
    isRepeat(id) {
      if (seen.has(id)) return true;
      seen.add(id);
      return false;
    },
    reset() {
      seen.clear();
    },
    get size() {
      return seen.size;
    },
  };
}
