// A named reader of the log. It keeps a cursor (segment + byte offset) so a
// sequential tail reads each chunk once, and commits the lowest position not yet
// acknowledged to `consumers/<name>.json`.

import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { QueueConsumer, QueueEntry } from '../queue.js';
import { AckTracker } from './ack-tracker.js';
import { writeCommitted } from './consumer-offsets.js';
import { skipDamage } from './damage-skip.js';
import { readFrames } from './frame-reader.js';
import type { DamageReporter } from './log-damage.js';
import type { LogWriter } from './log-writer.js';
import { decodeEntryAt, isErasedPayloadAt } from './record-codec.js';
import { findSegment, type SegmentInfo } from './segment-table.js';

export interface LogConsumerOptions {
  name: string;
  consumersDir: string;
  sync: boolean;
  /** Position to resume at: the committed position read from disk. */
  committed: number;
  /** Permissions of the consumer file. */
  fileMode: number;
  /** Told about each damaged range met (the queue's reporter). */
  reporter?: DamageReporter;
  onClose: () => void;
}

/** A consumer of the embedded log; see `LogQueue.consumer`. */
export class LogConsumer implements QueueConsumer {
  readonly name: string;
  readonly #log: LogWriter;
  readonly #options: LogConsumerOptions;
  readonly #acks: AckTracker;
  #persisted: number;
  #persisting: Promise<void> = Promise.resolve();
  #reading: Promise<unknown> = Promise.resolve();
  #closed = false;
  /** Position of the next entry `read` returns. */
  #next: number;
  #segment: SegmentInfo | undefined;
  #file: FileHandle | undefined;
  #offset = 0;

  constructor(log: LogWriter, options: LogConsumerOptions) {
    this.name = options.name;
    this.#log = log;
    this.#options = options;
    this.#acks = new AckTracker(options.committed);
    this.#persisted = options.committed;
    this.#next = options.committed;
  }

  /** The lowest position not yet acknowledged (persisted as far as `ack` has resolved). */
  /** Entries appended and not yet acknowledged: the backlog, for monitoring. */
  pending(): number {
    return Math.max(0, this.#log.nextPosition - this.committed);
  }

  get committed(): number {
    return this.#acks.committed;
  }

  read(max: number, waitMs: number): Promise<QueueEntry[]> {
    if (this.#closed) return Promise.reject(new Error(`consumer ${this.name} is closed`));
    if (!Number.isInteger(max) || max < 1) {
      return Promise.reject(new RangeError(`max must be a positive integer, got ${max}`));
    }
    // Reads share one cursor, so they run one at a time.
    const result = this.#reading.then(() => this.#readWaiting(max, waitMs));
    this.#reading = result.catch(() => undefined);
    return result;
  }

  async ack(entries: readonly QueueEntry[]): Promise<void> {
    if (this.#closed) throw new Error(`consumer ${this.name} is closed`);
    for (const entry of entries) {
      if (entry.position >= this.#next) {
        throw new RangeError(`cannot ack position ${entry.position}: it was not read yet`);
      }
    }
    if (!this.#acks.ack(entries.map((entry) => entry.position))) return;
    // Writes are chained; each writes the newest committed position, so a burst
    // of acks costs one or two file replacements, not one each.
    const write = this.#persisting
      .catch(() => undefined)
      .then(async () => {
        const committed = this.#acks.committed;
        if (committed <= this.#persisted) return;
        const { consumersDir, sync, fileMode } = this.#options;
        await writeCommitted(consumersDir, this.name, committed, sync, fileMode);
        this.#persisted = committed;
      });
    this.#persisting = write;
    await write;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#log.signal.notify();
    await this.#reading;
    await this.#persisting.catch(() => undefined);
    await this.#file?.close();
    this.#file = undefined;
    this.#options.onClose();
  }

  async #readWaiting(max: number, waitMs: number): Promise<QueueEntry[]> {
    const deadline = Date.now() + Math.max(0, waitMs);
    for (;;) {
      if (this.#closed) return [];
      const entries = await this.#readAvailable(max);
      if (entries.length > 0) return entries;
      const remaining = deadline - Date.now();
      if (remaining <= 0 || this.#closed) return [];
      // Checked right before waiting, with no await between: an append that landed
      // during the read above is not missed.
      if (this.#next < this.#log.nextPosition) continue;
      await this.#log.signal.wait(remaining);
    }
  }

  async #readAvailable(max: number): Promise<QueueEntry[]> {
    const entries: QueueEntry[] = [];
    while (entries.length < max && this.#next < this.#log.nextPosition) {
      const segment = this.#segment;
      if (segment === undefined || (segment.sealed && this.#next >= segment.end)) {
        await this.#openSegmentAt(this.#next);
        continue;
      }
      const readable = await this.#readableBytes(segment);
      const batch = await readFrames(this.#file!, this.#offset, readable, max - entries.length);
      const { chunk, payloadStarts, payloadEnds } = batch;
      for (let i = 0; i < batch.positions.length; i++) {
        const start = payloadStarts[i] as number;
        const named = batch.positions[i] as number;
        const position = Number.isNaN(named) ? this.#next : named;
        if (position < this.#next) continue;
        this.#skipPositions(position);
        this.#next = position + 1;
        // An erased record is never handed out: it counts as acknowledged, so it does not
        // hold the committed position back (persisted with the next ack).
        if (isErasedPayloadAt(chunk, start)) this.#acks.ack([position]);
        else entries.push(decodeEntryAt(chunk, start, payloadEnds[i] as number, position));
      }
      this.#offset = batch.end;
      if (batch.positions.length > 0) continue;
      if (batch.status === 'corrupt' || batch.status === 'torn') {
        // Bad bytes inside what was committed: damage, never a torn write. Skip and report.
        const skipped = await skipDamage(
          this.#file!,
          segment.path,
          this.#offset,
          readable,
          this.#next,
          segment.end,
        );
        await this.#options.reporter?.report(skipped.damage, skipped.raw);
        this.#skipPositions(skipped.resumePosition);
        this.#offset = skipped.resume;
        continue;
      }
      if (segment.sealed) {
        // Cut at a frame boundary: the records up to the next segment are gone.
        const { damage, raw } = await skipDamage(
          this.#file!,
          segment.path,
          readable,
          readable,
          this.#next,
          segment.end,
        );
        await this.#options.reporter?.report(damage, raw);
        this.#skipPositions(segment.end);
        continue;
      }
      break;
    }
    return entries;
  }

  /** Positions from the next one up to `to` were lost to damage: skipped, as acknowledged. */
  #skipPositions(to: number): void {
    if (to <= this.#next) return;
    const lost: number[] = [];
    for (let position = this.#next; position < to; position++) lost.push(position);
    this.#acks.ack(lost);
    this.#next = to;
  }

  /** Opens the segment holding `position` and skips to that record. */
  async #openSegmentAt(position: number): Promise<void> {
    const segment = findSegment(this.#log.segments, position);
    if (segment === undefined || position >= segment.end) {
      throw new Error(`position ${position} is no longer in the log (deleted or lost)`);
    }
    await this.#file?.close();
    this.#file = undefined;
    this.#file = await open(segment.path, 'r');
    this.#segment = segment;
    this.#offset = 0;
    const readable = await this.#readableBytes(segment);
    let at = segment.first;
    while (this.#offset < readable) {
      const batch = await readFrames(this.#file, this.#offset, readable, Number.POSITIVE_INFINITY);
      for (let i = 0; i < batch.positions.length; i++) {
        const named = batch.positions[i] as number;
        const found = Number.isNaN(named) ? at : named;
        // The wanted record, or the first after it when damage took it: #readAvailable goes on.
        if (found >= position) {
          this.#offset = batch.starts[i] as number;
          return;
        }
        at = found + 1;
      }
      this.#offset = batch.end;
      if (batch.status === 'corrupt' || batch.status === 'torn') {
        // Damage before `position`: only reported if it took records not yet read.
        const skipped = await skipDamage(
          this.#file,
          segment.path,
          batch.end,
          readable,
          at,
          segment.end,
        );
        if (skipped.resumePosition > position) {
          this.#offset = batch.end;
          return;
        }
        this.#offset = skipped.resume;
        at = skipped.resumePosition;
      } else if (batch.status === 'end') {
        return;
      }
    }
  }

  async #readableBytes(segment: SegmentInfo): Promise<number> {
    // Segments found on open have no recorded size: their file size is final.
    if (Number.isNaN(segment.bytes)) segment.bytes = (await this.#file!.stat()).size;
    return segment.bytes;
  }
}
