// Erases a data subject's messages from a JetStream stream: each message the stream holds is
// read by sequence (a direct get, so no consumer is created: on an interest stream a new
// consumer would change what the stream keeps) and the matching ones are deleted with erase,
// which makes the server overwrite the stored bytes, not only unlink them. Each delete is one
// request on its own, so an interrupted run leaves some deleted and the rest intact; a re-run
// finds the rest.

import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { decodeMessage } from '../message-codec.js';
import type { QueueMessage } from '../queue.js';

export interface EraseStreamOptions {
  /** nats:// URLs, comma-separated or a list. */
  servers: string | readonly string[];
  /** The stream (sluice's default is `SLUICE`). */
  stream: string;
  /** True for the messages to erase (its body is a view: copy what you keep). */
  matches: (message: QueueMessage) => boolean;
}

export interface StreamErasureReport {
  stream: string;
  /** Messages the stream held and were read. */
  messagesScanned: number;
  /** Stream sequences of the messages deleted. */
  deletedSequences: number[];
}

/** Connects, erases the matching messages of `options.stream`, and disconnects. */
export async function eraseStreamMessages(
  options: EraseStreamOptions,
): Promise<StreamErasureReport> {
  const servers =
    typeof options.servers === 'string' ? options.servers.split(',') : [...options.servers];
  const nc = await connect({ servers, name: 'sluice-erase' });
  try {
    return await eraseWith(await jetstreamManager(nc), options.stream, options.matches);
  } finally {
    await nc.close();
  }
}

/** The erasure on a JetStream manager the caller holds. */
export async function eraseWith(
  jsm: JetStreamManager,
  stream: string,
  matches: EraseStreamOptions['matches'],
): Promise<StreamErasureReport> {
  const { state } = await jsm.streams.info(stream);
  const report: StreamErasureReport = { stream, messagesScanned: 0, deletedSequences: [] };
  if (state.messages === 0) return report;
  for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
    // Null for a sequence already deleted (acknowledged by every group, or erased).
    const stored = await jsm.streams.getMessage(stream, { seq });
    if (!stored) continue;
    report.messagesScanned++;
    let message: QueueMessage;
    try {
      message = decodeMessage(Buffer.from(stored.data));
    } catch {
      continue; // Not a sluice record: nothing of ours to judge.
    }
    if (!matches(message)) continue;
    await jsm.streams.deleteMessage(stream, seq, true);
    report.deletedSequences.push(seq);
  }
  return report;
}
