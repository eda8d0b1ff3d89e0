import type { QueueEntry } from '@sluice/queue';
import { createRepeatFilter } from './repeat-filter.js';

const NEWLINE = 0x0a;

/**
 * The lines waiting for one partition's next file. It keeps the entries themselves (their
 * bodies are not copied until the file is built) and every entry it consumed, repeats
 * included, so they are acknowledged together once the file is uploaded.
 */
export class PartitionBuffer {
  /** Entries whose bodies become lines, in queue order. */
  readonly lines: QueueEntry[] = [];
  /** Every entry this file accounts for (lines and dropped repeats), to acknowledge after upload. */
  readonly consumed: QueueEntry[] = [];
  /** Uncompressed NDJSON size: the bodies plus one newline each. */
  bytes = 0;
  readonly #repeats = createRepeatFilter();

  constructor(
    readonly partition: string,
    /** Wall-clock time the first line arrived: age rotation counts from it. */
    readonly openedAt: number,
  ) {}

  /** Adds an entry; returns false when it repeats a messageId already in this buffer (dropped). */
  add(entry: QueueEntry): boolean {
    this.consumed.push(entry);
    if (this.#repeats.isRepeat(entry.id)) return false;
    this.lines.push(entry);
    this.bytes += entry.body.byteLength + 1;
    return true;
  }

  /** Position of the first entry: it names the file. Throws on an empty buffer. */
  get firstPosition(): number {
    const first = this.consumed[0];
    if (!first) throw new Error(`empty buffer for ${this.partition}`);
    return first.position;
  }

  /** Position of the last entry consumed: the partition's watermark once uploaded. */
  get lastPosition(): number {
    const last = this.consumed[this.consumed.length - 1];
    if (!last) throw new Error(`empty buffer for ${this.partition}`);
    return last.position;
  }

  /** The file's uncompressed content: each body byte for byte, then `\n`. */
  toNdjson(): Uint8Array {
    const out = new Uint8Array(this.bytes);
    let offset = 0;
    for (const entry of this.lines) {
      out.set(entry.body, offset);
      offset += entry.body.byteLength;
      out[offset++] = NEWLINE;
    }
    return out;
  }
}
