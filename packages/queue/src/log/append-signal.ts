// Wakes waiting readers when new records become readable, so `read(max, waitMs)`
// sleeps instead of polling the disk.

/** A one-shot broadcast: every `wait` pending at `notify` resolves. */
export class AppendSignal {
  readonly #waiters = new Set<() => void>();

  /** Resolves at the next `notify`, or after `ms` milliseconds, whichever comes first. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#waiters.add(done);
    });
  }

  /** Wakes every current waiter. */
  notify(): void {
    for (const done of [...this.#waiters]) done();
  }
}
