// The single writer of the log. Appends that arrive while a write + fdatasync is
// in flight queue up and go out together as the next group: one writev and one
// fdatasync for all of them (fdatasync runs ~2,500/s here, so one per request
// would cap the collector far below its HTTP throughput).

import { type FileHandle, open } from 'node:fs/promises';
import { QueueFullError, type QueueMessage } from '../queue.js';
import { AppendSignal } from './append-signal.js';
import { checkFrames, encodeFrames, stampFrames } from './record-codec.js';
import { segmentPath, syncDirectory, writeFully } from './segment-files.js';
import type { SegmentInfo } from './segment-table.js';

export interface LogWriterOptions {
  segmentsDir: string;
  /** fdatasync each group before its appends resolve. */
  sync: boolean;
  /** Permissions of new segment files. */
  fileMode: number;
  /** Roll to a new segment once the active one reaches this size. */
  segmentBytes: number;
  /** Runs after each roll (retention); an error rejects the group that triggered the roll. */
  afterRoll: () => Promise<void>;
  /**
   * Runs before each group is written with its size in bytes; rejecting (QueueFullError for
   * the disk budget) rejects the group's appends and writes nothing. It may call `roll()`.
   */
  reserve?: (bytes: number) => Promise<void>;
}

/**
 * Upper bounds (ms) of the buckets of `LogWriterStats.commitMs`: how long a group commit (its
 * writev and, when syncing, its fdatasync) took. The last bucket holds the slower ones.
 */
export const COMMIT_MS_BOUNDS = [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, Number.POSITIVE_INFINITY];

/** Counters that show how well group commit works. */
export interface LogWriterStats {
  /** `append` calls that wrote at least one message. */
  appends: number;
  messages: number;
  /** Group writes (one writev each). */
  writes: number;
  /** fdatasync calls. */
  syncs: number;
  bytes: number;
  rolls: number;
  /**
   * Group commits by duration, one count per bucket of COMMIT_MS_BOUNDS: an append waits for
   * the commit under way and then its own, so these bound its time in the log.
   */
  commitMs: number[];
}

interface PendingAppend {
  /** The append's records, as consecutive frames. */
  frames: Buffer;
  records: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Appends records to the active segment with group commit; see the module comment. */
export class LogWriter {
  /** Segments in position order; the last one is active. Shared with readers. */
  readonly segments: SegmentInfo[];
  /** Fires when records become readable. */
  readonly signal = new AppendSignal();
  readonly #options: LogWriterOptions;
  readonly #stats: LogWriterStats = {
    appends: 0,
    messages: 0,
    writes: 0,
    syncs: 0,
    bytes: 0,
    rolls: 0,
    commitMs: COMMIT_MS_BOUNDS.map(() => 0),
  };
  #file: FileHandle;
  #pending: PendingAppend[] = [];
  #flushing: Promise<void> | undefined;
  #closed = false;
  #failure: unknown;

  constructor(segments: SegmentInfo[], activeFile: FileHandle, options: LogWriterOptions) {
    this.segments = segments;
    this.#file = activeFile;
    this.#options = options;
  }

  /** Position of the oldest record still kept. */
  get firstPosition(): number {
    return this.segments[0]!.first;
  }

  /** Position the next appended record gets; also the end of what readers may read. */
  get nextPosition(): number {
    return this.#active.end;
  }

  get #active(): SegmentInfo {
    return this.segments[this.segments.length - 1]!;
  }

  stats(): LogWriterStats {
    return { ...this.#stats, commitMs: [...this.#stats.commitMs] };
  }

  /** Appends messages in order; resolves once their group is written (and synced). */
  append(messages: readonly QueueMessage[]): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('log queue is closed'));
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (messages.length === 0) return Promise.resolve();
    let frames: Buffer;
    try {
      frames = encodeFrames(messages);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#stats.appends++;
    this.#stats.messages += messages.length;
    return new Promise((resolve, reject) => {
      this.#pending.push({ frames, records: messages.length, resolve, reject });
      this.#flushing ??= this.#flush();
    });
  }

  /**
   * Appends frames already encoded by `encodeFrames` (a collector worker thread's): skips only
   * the encode. The frames are checked first; positions and CRCs are stamped at commit.
   */
  appendFrames(frames: Buffer, records: number): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('log queue is closed'));
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    try {
      checkFrames(frames, records);
    } catch (error) {
      return Promise.reject(error);
    }
    if (records === 0) return Promise.resolve();
    this.#stats.appends++;
    this.#stats.messages += records;
    return new Promise((resolve, reject) => {
      this.#pending.push({ frames, records, resolve, reject });
      this.#flushing ??= this.#flush();
    });
  }

  /** Waits for queued appends, then closes the active segment. Later appends reject. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#flushing;
    await this.#file.close();
    this.signal.notify();
  }

  async #flush(): Promise<void> {
    while (this.#pending.length > 0) {
      const group = this.#pending;
      this.#pending = [];
      try {
        if (this.#failure !== undefined) throw this.#failure;
        await this.#commit(group);
        for (const append of group) append.resolve();
      } catch (error) {
        for (const append of group) append.reject(error);
      }
    }
    this.#flushing = undefined;
  }

  async #commit(group: readonly PendingAppend[]): Promise<void> {
    if (this.#active.bytes >= this.#options.segmentBytes) await this.#roll();
    const frames = group.map((append) => append.frames);
    let records = 0;
    for (const append of group) records += append.records;
    if (this.#options.reserve) {
      let total = 0;
      for (const frame of frames) total += frame.length;
      await this.#options.reserve(total);
    }
    const active = this.#active;
    // Positions are known only now, after a roll: stamp them (and the CRCs that cover them).
    let position = active.end;
    for (const frame of frames) position += stampFrames(frame, position);
    const start = active.bytes;
    const startedAt = performance.now();
    const bytes = await writeFully(this.#file, frames, start).catch((error: unknown) =>
      this.#undoWrite(start, error),
    );
    if (this.#options.sync) {
      try {
        await this.#file.datasync();
      } catch (error) {
        // After a failed fsync the kernel may have dropped the dirty pages, so a
        // retry could "succeed" without the data: stop accepting appends instead.
        this.#failure = error;
        throw error;
      }
      this.#stats.syncs++;
    }
    this.#stats.writes++;
    this.#stats.bytes += bytes;
    const took = performance.now() - startedAt;
    this.#stats.commitMs[COMMIT_MS_BOUNDS.findIndex((bound) => took <= bound)]! += 1;
    // Readers see the group only now: in fsync mode they never forward a record
    // that a power loss could take back (its position would then be reused).
    active.bytes = start + bytes;
    active.end += records;
    this.signal.notify();
  }

  /** Cuts a failed write back off the file; a full disk becomes QueueFullError (backpressure). */
  async #undoWrite(start: number, error: unknown): Promise<never> {
    try {
      await this.#file.truncate(start);
    } catch {
      this.#failure = error;
      throw error;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') throw new QueueFullError('log queue disk is full');
    throw error;
  }

  /** Seals the active segment and starts a new one. Only from `reserve` (inside a commit). */
  roll(): Promise<void> {
    return this.#roll();
  }

  async #roll(): Promise<void> {
    const first = this.nextPosition;
    const path = segmentPath(this.#options.segmentsDir, first);
    const file = await open(path, 'wx', this.#options.fileMode);
    if (this.#options.sync) await syncDirectory(this.#options.segmentsDir);
    const previous = this.#file;
    this.#active.sealed = true;
    this.segments.push({ first, path, bytes: 0, end: first, sealed: false });
    this.#file = file;
    this.#stats.rolls++;
    await previous.close();
    await this.#options.afterRoll();
  }
}
