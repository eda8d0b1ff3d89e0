import type { QueueEntry } from '@sluice/queue';

const NEWLINE = 0x0a;

/**
 * The lines waiting for one partition's next file. It keeps the entries themselves (their
 * bodies are not copied until the file is built) and every entry it consumed, dropped repeats
 * included, so they are acknowledged together once the file is uploaded, and so the file is
 * named by the same first position whatever was dropped.
 */
export class PartitionBuffer {
  /** Entries whose bodies become lines, in queue order. */
  readonly lines: QueueEntry[] = [];
  /** Every entry this file accounts for (lines and dropped repeats), to acknowledge after upload. */
  readonly consumed: QueueEntry[] = [];
  /** Uncompressed NDJSON size: the bodies plus one newline each. */
  bytes = 0;
  /** Body bytes of dropped repeats, held until their acknowledgement. */
  repeatBytes = 0;

  constructor(
    readonly partition: string,
    /** Wall-clock time the first line arrived: age rotation counts from it. */
    readonly openedAt: number,
  ) {}

  /** Adds an entry that becomes a line of the file. */
  add(entry: QueueEntry): void {
    this.consumed.push(entry);
    this.lines.push(entry);
    this.bytes += entry.body.byteLength + 1;
  }

  /** Accounts for a dropped repeat: acknowledged with the file, never written. */
  addRepeat(entry: QueueEntry): void {
    this.consumed.push(entry);
    this.repeatBytes += entry.body.byteLength;
  }

  /** Memory the buffer holds: lines and repeats. */
  get heldBytes(): number {
    return this.bytes + this.repeatBytes;
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
