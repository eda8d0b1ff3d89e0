/** An in-memory batch: `add` events, and they reach `deliver` in groups. */
export type Batch<T> = { add(item: T): void; flush(): void };

/**
 * Collects items and delivers them when `flushAt` are waiting or `flushInterval` ms after
 * the first waiting one, whichever comes first. `deliver` must not throw (the timer calls it).
 */
export function createBatch<T>(
  flushAt: number,
  flushInterval: number,
  deliver: (items: T[]) => void,
): Batch<T> {
  let items: T[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (items.length) {
      const due = items;
      items = [];
      deliver(due);
    }
  };
  return {
    add(item) {
      items.push(item);
      if (items.length >= flushAt) flush();
      else timer ??= setTimeout(flush, flushInterval);
    },
    flush,
  };
}
