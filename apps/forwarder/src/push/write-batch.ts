// The push-mode batch writer (the Worker's queue consumer): one delivered batch -> one file per
// partition (gzip NDJSON, or the format given, e.g. Parquet) -> ack. Runtime-free, so Node tests can drive it with a real store
// and a failing one, and apps/worker bundles it for workerd.
//
// What exactly-once holds on Workers, and what does not:
// - A repeat of a messageId inside one batch is dropped.
// - A message is acknowledged only after the put of the file holding it succeeded; a failed
//   put leaves its messages to be delivered again (`retry()`), and other partitions' messages
//   are acknowledged on their own, so one failing file does not replay the others.
// - Files are named by the hash of their sorted messageIds: a batch delivered again with the
//   same messages (the Worker died after the put, an ack was lost) overwrites its own files.
// - NOT held: Cloudflare does not keep a batch's membership across deliveries, so a message
//   retried with different companions lands in a file with a different name, next to the
//   copy an earlier put may have written. A client that resends after an unseen outcome, or
//   after a 503 where part of its request was queued, also gives repeats in different
//   batches. Such repeats carry the same messageId: dedupe by it when reading (or compact).
//   R2's conditional writes (`onlyIf`) could make a per-messageId marker authoritative, at
//   the cost of one extra write per event; not done here.

import { quarantineMessage, quarantineRecord } from '@sluice/ingest';
import {
  type FileFormat,
  FORMATS,
  isQuarantinePartition,
  messageIdsFileName,
  objectKeyOf,
  partitionOf,
} from '@sluice/layout';
import type { QueueEntry, QueueMessage } from '@sluice/queue';
import { fromWireMessage } from '@sluice/queue/cloudflare';
import type { ObjectStore } from '@sluice/store';
import { PartitionBuffer } from '../partition-buffer.js';

/** The source under which messages that are not sluice messages are quarantined. */
export const UNREADABLE_SOURCE = '_unreadable';

/** One message as Cloudflare delivers it to the `queue()` handler. */
export interface DeliveredMessage {
  /** Cloudflare's id of the message (not the event's messageId). */
  readonly id: string;
  readonly timestamp: Date;
  readonly body: unknown;
  ack(): void;
  retry(): void;
}

export interface WriteBatchDeps {
  store: ObjectStore;
  compress: (data: Uint8Array) => Promise<Uint8Array>;
  /**
   * Encodes event files, e.g. `parquetEvents` of `@sluice/layout/parquet` (pure JavaScript, so
   * it runs on Workers); default gzip NDJSON through `compress`. Quarantine stays gzip NDJSON.
   */
  format?: FileFormat;
  /** Told about each file that could not be written (its messages will come again). */
  onError: (error: unknown, key: string) => void;
}

export interface WriteBatchResult {
  /** Keys of the files written. */
  written: string[];
  acked: number;
  retried: number;
}

const GZIP = FORMATS['ndjson-gzip'];

/** The sluice message a delivery carries; a body that is not one becomes a quarantine message (kept, never dropped). */
export function readDeliveredMessage(delivered: DeliveredMessage): QueueMessage {
  try {
    return fromWireMessage(delivered.body);
  } catch (error) {
    const reason = [{ path: '', message: `not a sluice queue message: ${String(error)}` }];
    const time = delivered.timestamp.getTime();
    const record = quarantineRecord(reason, delivered.body, { receivedAtMs: time });
    return quarantineMessage(record, { id: delivered.id, source: UNREADABLE_SOURCE, time });
  }
}

interface PartitionFile {
  buffer: PartitionBuffer;
  delivered: DeliveredMessage[];
}

/** Writes a delivered batch as one file per partition, then acks or retries each message. */
export async function writeMessageBatch(
  messages: readonly DeliveredMessage[],
  deps: WriteBatchDeps,
): Promise<WriteBatchResult> {
  const files = new Map<string, PartitionFile>();
  // The file holding each messageId's first copy: a repeat is acknowledged with it (once it
  // is stored), never written twice.
  const holder = new Map<string, PartitionFile>();
  messages.forEach((delivered, position) => {
    const entry: QueueEntry = { ...readDeliveredMessage(delivered), position };
    const first = holder.get(entry.id);
    if (first) {
      first.delivered.push(delivered);
      return;
    }
    const partition = partitionOf(entry);
    let file = files.get(partition);
    if (!file) {
      file = { buffer: new PartitionBuffer(partition, 0), delivered: [] };
      files.set(partition, file);
    }
    file.buffer.add(entry);
    file.delivered.push(delivered);
    holder.set(entry.id, file);
  });

  const result: WriteBatchResult = { written: [], acked: 0, retried: 0 };
  await Promise.all(
    [...files.values()].map(async ({ buffer, delivered }) => {
      const name = await messageIdsFileName(buffer.lines.map((entry) => entry.id));
      const format = isQuarantinePartition(buffer.partition) ? undefined : deps.format;
      const key = objectKeyOf(buffer.partition, name, (format ?? GZIP).extension);
      try {
        const body = format ? await format.encode(buffer) : await deps.compress(buffer.toNdjson());
        await deps.store.put(key, body, { contentType: (format ?? GZIP).contentType });
      } catch (error) {
        deps.onError(error, key);
        for (const message of delivered) message.retry();
        result.retried += delivered.length;
        return;
      }
      for (const message of delivered) message.ack();
      result.acked += delivered.length;
      result.written.push(key);
    }),
  );
  result.written.sort();
  return result;
}
