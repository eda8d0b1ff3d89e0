// One erasure request carried out in every place sluice keeps events, with a report to keep as
// evidence. The queue goes first: an event still queued would otherwise be forwarded into the
// store again after the store was cleaned. Then the store: events, quarantine, replays and
// imports, every format (erase-subject.ts).
//
// The report names the subject by SHA-256 of each id, never the id itself: it is kept (and
// shown to auditors) after the data is gone, and a raw id would be the very personal data the
// request asked to remove. Whoever holds the request can hash its id and compare. An unsalted
// hash of a guessable id (an e-mail address) can be confirmed by guessing, so the report is
// pseudonymous, not anonymous: keep it as confidential as the request itself.

import type { FileCodec } from '@sluice/layout';
import type { LogErasureReport, QueueMessage, StreamErasureReport } from '@sluice/queue';
import type { ObjectStore } from '@sluice/store';
import type { IcebergTable } from '../table/iceberg-table.js';
import { type ErasureProgress, type ErasureReport, eraseSubject } from './erase-subject.js';
import { createSubjectMatcher, type Subject } from './subject-matcher.js';

/** True for the queue records of the subject (bodies as the collector stored them). */
export type QueueMatch = (message: QueueMessage) => boolean;

export interface EraseEverywhereDeps {
  store: ObjectStore;
  codecs: readonly FileCodec[];
  /** The Iceberg table of the events files, when there is one (`--table iceberg`). */
  table?: IcebergTable;
  /** Where the store is, for the report (a directory or `s3://bucket/prefix`). */
  storeWhere: string;
  /** The durable log's erasure (`eraseLogRecords` of `@sluice/queue` on its directory). */
  log?: { where: string; erase: (matches: QueueMatch) => Promise<LogErasureReport> };
  /** A JetStream stream's erasure (`eraseStreamMessages` of `@sluice/queue`). */
  stream?: { where: string; erase: (matches: QueueMatch) => Promise<StreamErasureReport> };
  now: () => Date;
}

/** The evidence of one erasure: when, whose (hashed), and what changed where. */
export interface ErasureEvidence {
  version: 1;
  startedAt: string;
  finishedAt: string;
  subject: { userIdSha256?: string; anonymousIdSha256?: string };
  store: { where: string; prefixes: string[] } & ErasureReport;
  log?: { where: string } & LogErasureReport;
  stream?: { where: string } & StreamErasureReport;
  /** Queue records and stored lines removed in all. */
  recordsRemoved: number;
  /** False when some files could not be read (listed in `store.unreadableFiles`). */
  complete: boolean;
}

/** Erases `subject` from the queue and the store; resolves with the evidence. */
export async function eraseEverywhere(
  deps: EraseEverywhereDeps,
  options: {
    subject: Subject;
    prefixes?: readonly string[];
    onProgress?: (step: ErasureProgress) => void;
  },
): Promise<ErasureEvidence> {
  const startedAt = deps.now().toISOString();
  const matcher = createSubjectMatcher(options.subject);
  const decoder = new TextDecoder();
  const matches: QueueMatch = (message) => {
    const found = matcher.match(decoder.decode(message.body));
    return found === 'event' || found === 'quarantine';
  };
  const log = deps.log && { where: deps.log.where, ...(await deps.log.erase(matches)) };
  const stream = deps.stream && { where: deps.stream.where, ...(await deps.stream.erase(matches)) };
  const prefixes = [...(options.prefixes ?? [''])];
  const store = await eraseSubject(
    { store: deps.store, codecs: deps.codecs, table: deps.table },
    { subject: options.subject, prefixes, onProgress: options.onProgress },
  );
  return {
    version: 1,
    startedAt,
    finishedAt: deps.now().toISOString(),
    subject: {
      userIdSha256: await sha256(options.subject.userId),
      anonymousIdSha256: await sha256(options.subject.anonymousId),
    },
    store: { where: deps.storeWhere, prefixes, ...store },
    ...(log ? { log } : {}),
    ...(stream ? { stream } : {}),
    recordsRemoved:
      store.eventsRemoved +
      store.quarantinedRemoved +
      (log?.recordsErased ?? 0) +
      (stream?.deletedSequences.length ?? 0),
    complete: store.unreadableFiles.length === 0,
  };
}

async function sha256(id: string | undefined): Promise<string | undefined> {
  if (id === undefined) return undefined;
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(id));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** What the evidence says changed, one line a place, for a person at a terminal. */
export function describeErasure(evidence: ErasureEvidence): string[] {
  const { store, log, stream } = evidence;
  const lines: string[] = [];
  if (log) {
    lines.push(
      `log ${log.where}: ${log.recordsErased} records erased in ${log.segmentsRewritten.length} of ${log.segmentsScanned} segments`,
    );
    for (const s of log.segmentsRewritten) lines.push(`  ${s.segment}: ${s.recordsErased}`);
  }
  if (stream) {
    lines.push(
      `stream ${stream.stream} (${stream.where}): ${stream.deletedSequences.length} of ${stream.messagesScanned} messages deleted`,
    );
  }
  lines.push(
    `store ${store.where}: ${store.eventsRemoved} events and ${store.quarantinedRemoved} quarantined records removed from ${store.filesRewritten} of ${store.files} files`,
  );
  for (const file of store.rewritten) lines.push(`  ${file.key}: ${file.removed}`);
  if (store.leftoversDeleted > 0) {
    lines.push(`  ${store.leftoversDeleted} leftovers of an interrupted compaction deleted`);
  }
  for (const key of store.unreadableFiles) lines.push(`  NOT ERASED (unreadable): ${key}`);
  return lines;
}
