// One Durable Object per partition folder (`idFromName(partition)`) buffers that partition's
// lines in its SQLite database and cuts them into files by size and age, as the Node forwarder
// does, instead of one file per queue batch (≤ 100 events, 1–2 KB of gzip).
//
// Why every event is stored once (Cloudflare delivers at least once, with any companions):
// - A line is added in one SQLite transaction per delivered batch, keyed by messageId
//   (INSERT OR IGNORE): a copy of an id the table holds, pending or stored within the dedup
//   window, adds nothing. The queue handler acknowledges a message only after `append`
//   returned, and the Durable Object returns only once its write is durable (output gate).
// - Crash or restart during `append`: the transaction did not commit and the call failed, so
//   the messages are retried and added then. After it committed but before the ack: the
//   redelivery's ids are already there, so nothing is added twice.
// - A file is cut in two steps. First its lines are frozen in one transaction (`cut = n`,
//   recorded as the open cut); then the file is put under a name derived from the frozen ids
//   (`messageIdsFileName`), and only after the put succeeded are its bodies dropped and the
//   ids marked stored, in a second transaction.
// - Crash before the freeze commits: the lines stay pending and the next alarm cuts them.
//   Crash after the freeze, before or after the put: the open cut is stored first by the next
//   alarm, with the same lines in the same order under the same name, so a put that had
//   succeeded is overwritten by itself. Crash after the second transaction: done.
// - Lines that arrive while a file is being put stay pending: the frozen set cannot grow.
// - Alarms: a failed alarm re-arms itself (Cloudflare gives up on an alarm after a few
//   retries), and every append re-arms one that is missing or long overdue, so held lines
//   always have a deadline while events keep coming.
// - The Cron Trigger (scheduled-handler.ts) visits every object that has a marker in the
//   bucket (partition-marker.ts, and partition-scan.ts for partitions older than markers)
//   through `sweep`: an object whose lines waited past their
//   age by more than LOST_ALARM_MS lost its alarm and cuts them then; an idle object of a
//   closed partition compacts the partition's small files (compact-worker-partition.ts).
// NOT held: a repeat that arrives after the dedup window (`SLUICE_DEDUP_WINDOW_SECONDS`), and
// a copy whose event time was changed into another hour (another partition, another object).

import { DurableObject } from 'cloudflare:workers';
import type { DurableObjectState, SqlStorage } from '@cloudflare/workers-types';
import { isPartitionClosed, messageIdsFileName, objectKeyOf } from '@sluice/layout';
import { createR2Store } from '@sluice/store/r2';
import { compactWorkerPartition } from './compact-worker-partition.js';
import type { WorkerEnv } from './env.js';
import { type FileSettings, parseFileSettings, parseWorkerFormat } from './file-settings.js';
import { MarkerSync } from './partition-marker.js';
import {
  addTimeColumn,
  adoptPartition,
  appendLines,
  type BufferedLine,
  cutLines,
  filesSinceCompaction,
  forgetCompactedFiles,
  forgetStoredBefore,
  freezeCut,
  isMarked,
  markCutStored,
  oldestTimes,
  openCut,
  openCutFormat,
  partitionOfTable,
  pendingBytes,
  SCHEMA,
} from './partition-table.js';
import { encodeFile, formatOf } from './worker-formats.js';

/** After a failed cut (R2 unavailable), the next attempt this much later. */
const RETRY_MS = 10_000;
/**
 * An alarm this late has been lost (workerd restarted, or forgot it; see #schedule), so the
 * next append sets it again instead of trusting getAlarm().
 */
const LOST_ALARM_MS = 5_000;

/** What the queue handler calls on a partition's object. */
export interface PartitionFilesRpc {
  /** Buffers the lines whose messageIds are new here; resolves once they are durable. */
  append(partition: string, lines: BufferedLine[]): Promise<number>;
  /**
   * The Cron Trigger's visit through `partition`'s marker: cuts lines a lost alarm left,
   * compacts a closed partition.
   */
  sweep(partition: string, options: SweepOptions): Promise<SweepReport>;
}

export interface SweepOptions {
  /** Whether this visit may compact (the run's budget is not spent). */
  mayCompact: boolean;
  /** A partition is compacted only this long after its hour (day, for quarantine) ended. */
  graceMs: number;
}

export interface SweepReport {
  /** Lines were overdue (a lost alarm): they were cut now. */
  swept: boolean;
  /** The compaction run, if one ran: files merged and files written. */
  compacted?: { inputs: number; outputs: number };
  /** The marker is still there: the object wants another visit. */
  marked: boolean;
}

export class PartitionFiles extends DurableObject<WorkerEnv> implements PartitionFilesRpc {
  readonly #settings: FileSettings;
  readonly #sql: SqlStorage;
  /** The cuts running now (alarm or sweep), so the two never cut at once. */
  #cutting: Promise<void> | undefined;
  readonly #marker: MarkerSync;
  #compacting = false;

  constructor(ctx: DurableObjectState, env: WorkerEnv) {
    super(ctx, env);
    this.#settings = parseFileSettings(env as unknown as Record<string, unknown>);
    if (this.#settings.clamped) console.warn(`sluice: ${this.#settings.clamped}`);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(SCHEMA);
    addTimeColumn(this.#sql);
    this.#marker = new MarkerSync(env.EVENTS_BUCKET, ctx.storage);
  }

  async append(partition: string, lines: BufferedLine[]): Promise<number> {
    const added = this.ctx.storage.transactionSync(() =>
      appendLines(this.#sql, partition, lines, Date.now()),
    );
    await this.#schedule();
    // Before the ack: a failed put fails the call, and the redelivery (adding nothing) puts it.
    await this.#marker.sync();
    return added;
  }

  async alarm(): Promise<void> {
    let notBefore: number | undefined;
    try {
      await this.#runCuts();
    } catch (error) {
      console.error('sluice: could not cut a partition file; will retry', error);
      notBefore = Date.now() + RETRY_MS;
    }
    // Throws only if storage does, and then Cloudflare runs this alarm again.
    await this.#schedule(notBefore);
    await this.#marker.sync();
  }

  async sweep(partition: string, { mayCompact, graceMs }: SweepOptions): Promise<SweepReport> {
    const report: SweepReport = { swept: false, marked: false };
    this.ctx.storage.transactionSync(() => adoptPartition(this.#sql, partition));
    const now = Date.now();
    const { pendingSince } = oldestTimes(this.#sql);
    const lost =
      pendingSince !== undefined && now - pendingSince > this.#settings.fileAgeMs + LOST_ALARM_MS;
    if (lost || openCut(this.#sql) !== undefined) {
      // The same work as the alarm, then a fresh alarm (#schedule re-arms a lost one).
      try {
        await this.#runCuts();
      } finally {
        await this.#schedule();
      }
      report.swept = lost;
    }
    const idle =
      oldestTimes(this.#sql).pendingSince === undefined && openCut(this.#sql) === undefined;
    const files = filesSinceCompaction(this.#sql);
    if (
      mayCompact &&
      idle &&
      files > 0 &&
      !this.#compacting &&
      isPartitionClosed(partition, now, graceMs)
    ) {
      this.#compacting = true;
      try {
        const result = await compactWorkerPartition(
          this.env.EVENTS_BUCKET,
          partition,
          this.#settings.fileBytes,
        );
        // Files stored while it ran (late events) still count for the next visit.
        this.ctx.storage.transactionSync(() => forgetCompactedFiles(this.#sql, files));
        report.compacted = { inputs: result.inputs.length, outputs: result.outputs.length };
      } finally {
        this.#compacting = false;
      }
    }
    await this.#marker.sync();
    report.marked = isMarked(this.#sql);
    return report;
  }

  #runCuts(): Promise<void> {
    this.#cutting ??= this.#cutDueFiles().finally(() => {
      this.#cutting = undefined;
    });
    return this.#cutting;
  }

  /** Stores an open cut, then cuts while a file is full or its oldest line too old. */
  async #cutDueFiles(): Promise<void> {
    const { fileBytes, fileAgeMs, dedupWindowMs } = this.#settings;
    const open = openCut(this.#sql);
    if (open !== undefined) await this.#storeCut(open);
    for (;;) {
      const { pendingSince } = oldestTimes(this.#sql);
      if (pendingSince === undefined) break;
      const full = pendingBytes(this.#sql) >= fileBytes;
      if (!full && Date.now() - pendingSince < fileAgeMs) break;
      const cut = this.ctx.storage.transactionSync(() =>
        freezeCut(this.#sql, fileBytes, this.#settings.format),
      );
      if (cut === undefined) break;
      await this.#storeCut(cut);
    }
    this.ctx.storage.transactionSync(() =>
      forgetStoredBefore(this.#sql, Date.now() - dedupWindowMs),
    );
  }

  async #storeCut(cut: number): Promise<void> {
    const partition = partitionOfTable(this.#sql);
    if (partition === undefined) throw new Error('a cut without a partition');
    const { ids, bodies, times } = cutLines(this.#sql, cut);
    // The format frozen with the cut: a retry after the setting changed keeps its key.
    const format = formatOf(partition, parseWorkerFormat(openCutFormat(this.#sql)));
    const key = objectKeyOf(partition, await messageIdsFileName(ids), format.extension);
    const body = await encodeFile(format, bodies, times);
    await createR2Store(this.env.EVENTS_BUCKET).put(key, body, { contentType: format.contentType });
    this.ctx.storage.transactionSync(() => markCutStored(this.#sql, cut, Date.now()));
  }

  /**
   * Sets the alarm to the earliest deadline: a due cut, a file's age, a dedup window's end;
   * never sooner than `notBefore` (a failed cut's retry).
   */
  async #schedule(notBefore = 0): Promise<void> {
    const { fileBytes, fileAgeMs, dedupWindowMs } = this.#settings;
    const { pendingSince, storedSince } = oldestTimes(this.#sql);
    const now = Date.now();
    const deadlines: number[] = [];
    if (openCut(this.#sql) !== undefined || pendingBytes(this.#sql) >= fileBytes) {
      deadlines.push(now);
    }
    if (pendingSince !== undefined) deadlines.push(pendingSince + fileAgeMs);
    if (storedSince !== undefined) deadlines.push(storedSince + dedupWindowMs);
    if (deadlines.length === 0) return;
    // Strictly in the future: workerd takes an alarm re-armed at the time of the alarm now
    // running as no change, and then forgets it while getAlarm() still returns it (the 100k
    // run's stall). Date.now() does not run backwards, so now + 1 is after any running alarm.
    const at = Math.max(Math.min(...deadlines), notBefore, now + 1);
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at || current < now - LOST_ALARM_MS) {
      await this.ctx.storage.setAlarm(at);
    }
  }
}
