// Removes a data subject's events from the stored files, for data-protection requests.
// Each affected file is rewritten under its own key with one put, so a reader sees it whole,
// before or after; the manifest decides which files are live exactly as for any reader, and
// the leftovers of an interrupted compaction (copies readers ignore, but copies still) are
// deleted as compaction would, so no copy of an erased event stays behind. Running it again
// finds nothing more. It looks in the whole store by default (events/, quarantine/, replay/ and
// wherever an import put files), in every format the store writes: gzip and zstd NDJSON through
// the codecs, Parquet row by row (erase-parquet.ts). The queue is erased apart (erase-queue.ts).
// Not covered: a partition's newest file while the forwarder may still rewrite it after a
// crash - run again once the forwarder is done.
// With an Iceberg table, a Parquet file rewritten in place gets its new size and row count in
// the table (an `overwrite` snapshot) right after its put; every Parquet file read is checked,
// so a run after a crash between the put and the commit makes the commit.
// Like compaction, run one maintenance job at a time.

import {
  codecFor,
  type FileCodec,
  FORMATS,
  formatOfName,
  icebergPartitionOf,
  splitKey,
} from '@sluice/layout';
import { UnsupportedParquetError } from '@sluice/layout/parquet';
import type { ObjectStore } from '@sluice/store';
import { deleteAll } from '../compaction/delete-all.js';
import { writeManifest } from '../compaction/manifest.js';
import { listPartitionFolders, snapshotPartition } from '../live-files.js';
import type { IcebergTable } from '../table/iceberg-table.js';
import { type ErasedLines, eraseLines } from './erase-lines.js';
import { eraseParquetRows } from './erase-parquet.js';
import { createSubjectMatcher, type Subject, type SubjectMatcher } from './subject-matcher.js';

export interface ErasureDeps {
  store: ObjectStore;
  /** Formats to read and rewrite (Node: `nodeFileCodecs`); other files are reported unreadable. */
  codecs: readonly FileCodec[];
  /** The Iceberg table of the events files: rewritten Parquet files get their new sizes there. */
  table?: IcebergTable;
}

export type ErasureProgress =
  | { type: 'rewritten'; key: string; removed: number }
  | { type: 'partition'; partition: string; files: number; removed: number };

export interface EraseSubjectOptions {
  subject: Subject;
  /** Where to look. Default the whole store (`''`): hidden folders (`_sluice/`) hold no events. */
  prefixes?: readonly string[];
  onProgress?: (progress: ErasureProgress) => void;
}

export interface ErasureReport {
  partitions: number;
  /** Live files read. */
  files: number;
  filesRewritten: number;
  /** Each file rewritten, with the records (events and quarantined) removed from it. */
  rewritten: Array<{ key: string; removed: number }>;
  /** Events removed, and quarantine records of the subject's invalid events removed. */
  eventsRemoved: number;
  quarantinedRemoved: number;
  /** Copies an interrupted compaction left (readers ignore them), deleted. */
  leftoversDeleted: number;
  /** Live files of an unknown format or not UTF-8: not erased, check them by hand. */
  unreadableFiles: string[];
  /** Lines that hold one of the ids but are no JSON: kept. */
  unparsedLines: number;
}

const MAX_ATTEMPTS = 10;

/** Erases every stored event of `subject` below `prefixes`; resolves with what it did. */
export async function eraseSubject(
  deps: ErasureDeps,
  options: EraseSubjectOptions,
): Promise<ErasureReport> {
  const matcher = createSubjectMatcher(options.subject);
  const report: ErasureReport = {
    partitions: 0,
    files: 0,
    filesRewritten: 0,
    rewritten: [],
    eventsRemoved: 0,
    quarantinedRemoved: 0,
    leftoversDeleted: 0,
    unreadableFiles: [],
    unparsedLines: 0,
  };
  for (const prefix of options.prefixes ?? ['']) {
    for (const partition of await listPartitionFolders(deps.store, prefix)) {
      report.partitions++;
      await erasePartition(deps, partition, matcher, report, options.onProgress);
    }
  }
  return report;
}

async function erasePartition(
  deps: ErasureDeps,
  partition: string,
  matcher: SubjectMatcher,
  report: ErasureReport,
  onProgress: EraseSubjectOptions['onProgress'],
): Promise<void> {
  const { store } = deps;
  for (let attempt = 1; ; attempt++) {
    const snapshot = await snapshotPartition(store, partition);
    await deleteAll(store, snapshot.leftovers);
    report.leftoversDeleted += snapshot.leftovers.length;
    const outputs = new Map(snapshot.manifest.live.map((output) => [output.name, output]));
    let outputsChanged = false;
    let files = 0;
    let removed = 0;
    let vanished = false;
    for (const file of snapshot.live) {
      const outcome = await eraseFile(deps, file.key, file.name, matcher);
      if (outcome === 'vanished') {
        vanished = true;
        break;
      }
      files++;
      if (outcome === 'unreadable') {
        if (!report.unreadableFiles.includes(file.key)) report.unreadableFiles.push(file.key);
        continue;
      }
      report.unparsedLines += outcome.unparsed;
      if (!outcome.ndjson) continue;
      const fileRemoved = outcome.events + outcome.quarantined;
      report.filesRewritten++;
      report.rewritten.push({ key: file.key, removed: fileRemoved });
      report.eventsRemoved += outcome.events;
      report.quarantinedRemoved += outcome.quarantined;
      removed += fileRemoved;
      onProgress?.({ type: 'rewritten', key: file.key, removed: fileRemoved });
      if (outputs.has(file.name)) {
        // Keeps the sizes compaction plans with true.
        const { byteLength: bytes } = outcome.ndjson;
        outputs.set(file.name, { name: file.name, bytes, lines: outcome.lines - fileRemoved });
        outputsChanged = true;
      }
    }
    if (outputsChanged) {
      await writeManifest(store, partition, { ...snapshot.manifest, live: [...outputs.values()] });
    }
    report.files += files;
    if (!vanished) {
      onProgress?.({ type: 'partition', partition, files, removed });
      return;
    }
    // A file went away under us (only another maintenance job does that): look again.
    if (attempt >= MAX_ATTEMPTS) throw new Error(`files of ${partition} kept vanishing`);
  }
}

/** Rewrites one file without the subject's lines (when it has any) under the same key. */
async function eraseFile(
  deps: ErasureDeps,
  key: string,
  name: string,
  matcher: SubjectMatcher,
): Promise<ErasedLines | 'vanished' | 'unreadable'> {
  if (formatOfName(name)?.name === 'parquet') return eraseParquetFile(deps, key, matcher);
  const codec = codecFor(name, deps.codecs);
  if (!codec) return 'unreadable';
  const stored = await deps.store.get(key);
  if (!stored) return 'vanished';
  let erased: ErasedLines;
  try {
    erased = eraseLines(await codec.toNdjson(stored), matcher);
  } catch (error) {
    // Not UTF-8: rewriting it could change bytes of other events.
    if (error instanceof TypeError) return 'unreadable';
    throw error;
  }
  if (erased.ndjson) {
    await deps.store.put(key, await codec.fromNdjson(erased.ndjson), {
      contentType: codec.contentType,
    });
  }
  return erased;
}

/**
 * Parquet holds events only (quarantine stays NDJSON) and is never a compaction output, so no
 * manifest names it: the empty `ndjson` only says that the file was rewritten.
 */
async function eraseParquetFile(
  { store, table }: ErasureDeps,
  key: string,
  matcher: SubjectMatcher,
): Promise<ErasedLines | 'vanished' | 'unreadable'> {
  const stored = await store.get(key);
  if (!stored) return 'vanished';
  try {
    const erased = await eraseParquetRows(stored, matcher);
    if (erased.file) {
      await store.put(key, erased.file, { contentType: FORMATS.parquet.contentType });
    }
    if (table && icebergPartitionOf(splitKey(key).folder)) {
      const sizeBytes = (erased.file ?? stored).byteLength;
      await table.refresh([{ key, recordCount: erased.rows - erased.removed, sizeBytes }]);
    }
    return {
      ndjson: erased.file ? new Uint8Array() : undefined,
      lines: erased.rows,
      events: erased.removed,
      quarantined: 0,
      unparsed: 0,
    };
  } catch (error) {
    if (error instanceof UnsupportedParquetError) return 'unreadable';
    throw error;
  }
}
