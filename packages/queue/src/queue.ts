// The Queue between the collector and the forwarder. Core code depends on the narrow side it
// uses (QueueProducer to append, QueueSource and QueueConsumer to read); adapters (the embedded
// log, memory, NATS JetStream, Cloudflare Queues) implement them. queue.contract.ts holds
// every adapter to the semantics written here.

/** What a message is: a valid event, or an invalid one kept with its reason. */
export type MessageKind = 'event' | 'quarantine';

/**
 * One message. The header fields let the forwarder route and deduplicate
 * without parsing `body`, which it copies into files byte for byte.
 */
export interface QueueMessage {
  /** The event's messageId: the deduplication key. */
  id: string;
  /** The source (site or app) the event came from. */
  source: string;
  /** The (skew-corrected) event time, ms since the epoch: picks the partition. */
  time: number;
  kind: MessageKind;
  /** The event as UTF-8 JSON, one line, no trailing newline. */
  body: Uint8Array;
}

/** A message as read back, with its position in the queue. */
export interface QueueEntry extends QueueMessage {
  /** Increasing position in the queue; object names are derived from it. */
  position: number;
}

/**
 * The producing side of a queue: all the collector and the MQTT bridge need. Every adapter
 * has it (Cloudflare Queues has only it: Cloudflare pushes deliveries to the Worker).
 */
export interface QueueProducer {
  /**
   * Appends messages in order. Resolves only once they are held as durably as the
   * queue's durability mode promises; rejects with QueueFullError when the disk
   * budget is reached (the caller answers 503 and acknowledges nothing).
   */
  append(messages: readonly QueueMessage[]): Promise<void>;
  /**
   * Appends `records` messages already encoded by `encodeFrames` (a collector worker thread's),
   * with the same promise as `append`; rejects frames that do not add up. Only the log has it.
   */
  appendFrames?(frames: Buffer, records: number): Promise<void>;
  /**
   * Messages held now (appended and not yet removed by retention or acknowledgement), for
   * monitoring. Only adapters that know it without a round trip have it (the log, memory).
   */
  depth?(): number;
  close(): Promise<void>;
}

/** The consuming side of a queue: opens named consumers (the forwarder's side). */
export interface QueueSource {
  /** Opens (or creates) a named consumer whose progress survives a restart. */
  consumer(name: string): Promise<QueueConsumer>;
  close(): Promise<void>;
}

/** A queue this process both appends to and consumes from: the log, memory, NATS. */
export interface Queue extends QueueProducer, QueueSource {}

/** One named consumer: reads in position order, acknowledges what is done. */
export interface QueueConsumer {
  /**
   * Reads up to `max` entries after the last one read, waiting up to `waitMs`
   * for the first one to arrive; returns [] when none did.
   */
  read(max: number, waitMs: number): Promise<QueueEntry[]>;
  /**
   * Marks entries as done (uploaded). After a restart, reading resumes at the
   * first entry not acknowledged; entries after it may be read again. Acknowledging an
   * entry again, or in any order, is harmless.
   */
  ack(entries: readonly QueueEntry[]): Promise<void>;
  /**
   * Entries in the queue not yet acknowledged (the backlog), for monitoring. Only adapters
   * that know it without a round trip have it (the embedded log).
   */
  pending?(): number;
  close(): Promise<void>;
}

/** Thrown by `append` when the queue has no room left: backpressure, not a crash. */
export class QueueFullError extends Error {
  constructor(
    message: string,
    /** Seconds after which a retry may succeed. */
    readonly retryAfterSeconds = 5,
  ) {
    super(message);
    this.name = 'QueueFullError';
  }
}

/**
 * Thrown by a consumer's `read` and `ack` once this process no longer owns what it reads (its
 * lease expired, so another forwarder may be reading the same entries). Retrying cannot help:
 * drop what is held unacknowledged (the new owner reads it again) and stop.
 */
export class ConsumerLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConsumerLostError';
  }
}
