// Acknowledgements arrive in any order (the forwarder uploads partitions
// independently), but a restart can only resume from one position: the lowest
// one not yet acknowledged. Positions acknowledged beyond it wait in a set.

/** Tracks out-of-order acknowledgements and the committed position they allow. */
export class AckTracker {
  #committed: number;
  readonly #ahead = new Set<number>();

  constructor(committed: number) {
    this.#committed = committed;
  }

  /** The lowest position not yet acknowledged: everything below it is done. */
  get committed(): number {
    return this.#committed;
  }

  /** Positions acknowledged above the committed one, waiting for the gap to close. */
  get pending(): number {
    return this.#ahead.size;
  }

  /** Records acknowledgements; returns true when the committed position advanced. */
  ack(positions: Iterable<number>): boolean {
    const before = this.#committed;
    for (const position of positions) {
      // In order (a file's entries, oldest first): the committed position moves on without
      // the set, whose add and delete per entry cost more than the rest of an ack.
      if (position === this.#committed && this.#ahead.size === 0) this.#committed++;
      else if (position >= this.#committed) this.#ahead.add(position);
    }
    while (this.#ahead.delete(this.#committed)) this.#committed++;
    return this.#committed !== before;
  }
}
