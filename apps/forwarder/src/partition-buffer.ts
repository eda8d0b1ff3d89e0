import { encodeNdjson, type FileWriter, isQuarantinePartition } from '@sluice/layout';
import type { QueueEntry } from '@sluice/queue';
import type { StoredId } from './dedup/dedup-index.js';

const NEWLINE = 0x0a;
/** Lines go to a file's writer in pieces of about this size. */
const STAGING_BYTES = 256 * 1024;
/** Staging pieces the writers gave back, kept for reuse (at most this many). */
const SPARE_PIECES = 16;
const NO_BODY = new Uint8Array(0);

// Pieces a writer is done with, reused instead of left to the garbage collector: they outlive a
// young-generation collection while queued for the compressor, so each would wait for a full
// collection, and RSS grew by tens of MB between those.
const sparePieces: Uint8Array[] = [];

/**
 * The lines waiting for one partition's next file, and every entry it consumed (dropped repeats
 * included), acknowledged together once the file is uploaded; the file is named by the first
 * position whatever was dropped.
 *
 * Without a FileWriter it keeps the entries themselves (bodies are copied when the file is
 * built). With one (gzip NDJSON), each line is copied into the writer as it comes, in pieces of
 * 256 KiB compressed on another thread while reading goes on, and only positions and ids are
 * kept: about 70 bytes a line instead of the line and its entry.
 */
export class PartitionBuffer {
  /** Uncompressed NDJSON size: the bodies plus one newline each. */
  bytes = 0;
  /** Body bytes of dropped repeats, held until their acknowledgement. */
  repeatBytes = 0;
  readonly #openWriter: (() => FileWriter) | undefined;
  readonly #isEvents: boolean;
  /** Without a writer: the entries of the lines, and every entry consumed. */
  readonly #lines: QueueEntry[] = [];
  readonly #consumed: QueueEntry[] = [];
  /** With a writer: positions of every entry consumed, and the ids and positions of lines. */
  readonly #consumedPositions: number[] = [];
  readonly #lineIds: string[] = [];
  readonly #linePositions: number[] = [];
  #writer: FileWriter | undefined;
  #staging: Uint8Array | undefined;
  #staged = 0;
  #backlogged = false;

  constructor(
    readonly partition: string,
    /** Wall-clock time the first line arrived: age rotation counts from it. */
    readonly openedAt: number,
    /** Starts the file's writer (opened with the first line: a buffer of repeats has none). */
    openWriter?: () => FileWriter,
  ) {
    this.#openWriter = openWriter;
    this.#isEvents = !isQuarantinePartition(partition);
  }

  /** Whether the file is compressed as it grows (`finish`), rather than built at the end. */
  get streaming(): boolean {
    return this.#openWriter !== undefined;
  }

  /** Adds an entry that becomes a line of the file. */
  add(entry: QueueEntry): void {
    this.bytes += entry.body.byteLength + 1;
    if (this.#openWriter) {
      this.#writer ??= this.#openWriter();
      this.#stage(entry.body);
      this.#consumedPositions.push(entry.position);
      this.#lineIds.push(entry.id);
      this.#linePositions.push(entry.position);
    } else {
      this.#consumed.push(entry);
      this.#lines.push(entry);
    }
  }

  /** Accounts for a dropped repeat: acknowledged with the file, never written. */
  addRepeat(entry: QueueEntry): void {
    this.repeatBytes += entry.body.byteLength;
    if (this.#openWriter) this.#consumedPositions.push(entry.position);
    else this.#consumed.push(entry);
  }

  /** Lines in the file. */
  get lineCount(): number {
    return this.#openWriter ? this.#lineIds.length : this.#lines.length;
  }

  /** The file's lines as entries (only without a writer: with one, their bodies are gone). */
  get lines(): readonly QueueEntry[] {
    if (this.#openWriter) throw new Error(`${this.partition}: its lines went to a writer`);
    return this.#lines;
  }

  /** Ids and positions of the file's events, to record as stored (none for quarantine). */
  storedIds(): StoredId[] {
    if (!this.#isEvents) return [];
    if (!this.#openWriter) return this.#lines.filter((entry) => entry.kind === 'event');
    return this.#lineIds.map((id, i) => ({ id, position: this.#linePositions[i] as number }));
  }

  /**
   * Every entry this file accounts for, to acknowledge after upload. With a writer these are
   * stand-ins that carry the position only (all an acknowledgement reads).
   */
  get consumed(): readonly QueueEntry[] {
    if (!this.#openWriter) return this.#consumed;
    const kind = this.#isEvents ? 'event' : 'quarantine';
    return this.#consumedPositions.map((position) => ({
      id: '',
      source: '',
      time: 0,
      kind,
      body: NO_BODY,
      position,
    }));
  }

  /** Memory the buffer holds: lines and repeats. */
  get heldBytes(): number {
    return this.bytes + this.repeatBytes;
  }

  /** Position of the first entry: it names the file. Throws on an empty buffer. */
  get firstPosition(): number {
    const first = this.#openWriter ? this.#consumedPositions[0] : this.#consumed[0]?.position;
    if (first === undefined) throw new Error(`empty buffer for ${this.partition}`);
    return first;
  }

  /** Position of the last entry consumed: the partition's watermark once uploaded. */
  get lastPosition(): number {
    const last = this.#openWriter
      ? this.#consumedPositions[this.#consumedPositions.length - 1]
      : this.#consumed[this.#consumed.length - 1]?.position;
    if (last === undefined) throw new Error(`empty buffer for ${this.partition}`);
    return last;
  }

  /** The file's uncompressed content: each body byte for byte, then `\n`. Not when streaming. */
  toNdjson(): Uint8Array {
    return encodeNdjson(this.lines.map((entry) => entry.body));
  }

  /** True when the writer holds more lines than it wants: `await drained()` before adding more. */
  get backlogged(): boolean {
    return this.#backlogged;
  }

  /** Resolves once the writer has taken in the lines it held. */
  async drained(): Promise<void> {
    await this.#writer?.drained();
    this.#backlogged = false;
  }

  /** The file compressed by the writer (streaming buffers with lines only). Call once. */
  finish(): Promise<Uint8Array> {
    const writer = this.#writer;
    if (!writer) throw new Error(`${this.partition}: no line went to a writer`);
    this.#handOver();
    return writer.finish();
  }

  /** Copies a body and its newline into the staging piece, handing full pieces to the writer. */
  #stage(body: Uint8Array): void {
    const length = body.byteLength + 1;
    if (this.#staging && this.#staged + length > this.#staging.byteLength) this.#handOver();
    this.#staging ??=
      length <= STAGING_BYTES
        ? (sparePieces.pop() ?? new Uint8Array(STAGING_BYTES))
        : new Uint8Array(length);
    this.#staging.set(body, this.#staged);
    this.#staging[this.#staged + body.byteLength] = NEWLINE;
    this.#staged += length;
  }

  /** Gives the staged lines to the writer; the piece returns to the spares once compressed. */
  #handOver(): void {
    const piece = this.#staging;
    if (piece && this.#staged > 0 && this.#writer) {
      const done =
        piece.byteLength === STAGING_BYTES && sparePieces.length < SPARE_PIECES
          ? () => sparePieces.push(piece)
          : undefined;
      this.#backlogged = !this.#writer.write(piece.subarray(0, this.#staged), done);
    } else if (piece && piece.byteLength === STAGING_BYTES && sparePieces.length < SPARE_PIECES) {
      sparePieces.push(piece);
    }
    this.#staging = undefined;
    this.#staged = 0;
  }
}
