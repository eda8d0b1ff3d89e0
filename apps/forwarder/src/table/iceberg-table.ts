// Commits data files to an Apache Iceberg v2 table kept in the object store, Hadoop-style:
// `<prefix>metadata/v<N>.metadata.json` is version N, `metadata/version-hint.text` names the
// newest, manifests and manifest lists sit beside them (what icebird, DuckDB's iceberg_scan and
// Spark's Hadoop catalog read).
//
// Why a retried commit adds nothing twice: every commit first loads the newest version and
// skips what it already holds - an append of files that are all live is done, a replace whose
// outputs are all live is done. The forwarder commits after its put and before its checkpoint,
// compaction after writing its outputs and before its manifest switch, so a crash between the
// commit and the next step repeats the put (same key, same bytes) and then finds the commit made.
//
// Why two commits never lose one another: the new version's file is written with
// `putIfAbsent` where the store has it (a directory: a hard link, create-exclusive), and a
// committer that finds the name taken reloads and tries again on top of the winner. On a store
// without it (S3 here: the test server ignores If-None-Match), commits must come from one place:
// one table object per process, shared by every writer (`--workers`) and compaction, serializes
// them (`commit` runs one at a time), and only one process may write the table.
// The version hint is a plain put after the version: a crash between them leaves the hint one
// behind, and the next load probes past it.

import { icebergPartitionOf } from '@sluice/layout';
import type { ObjectStore } from '@sluice/store';
import {
  type DataFile,
  decodeManifest,
  decodeManifestList,
  EntryStatus,
  encodeManifest,
  encodeManifestList,
  type ManifestEntry,
  type ManifestFile,
} from './manifests.js';
import {
  nextSequenceNumber,
  type SnapshotOperation,
  type TableMetadata,
  withSnapshot,
} from './table-metadata.js';

/** Where the table of events lives in the store by default. */
export const EVENTS_TABLE_PREFIX = 'tables/events/';
/** Manifests a snapshot may list before a commit merges them into one. */
export const MANIFESTS_BEFORE_MERGE = 50;

/** A data file to commit: its key in the store (an events partition's Parquet file). */
export interface CommitFile {
  key: string;
  recordCount: number;
  sizeBytes: number;
}

export interface IcebergTableDeps {
  store: ObjectStore;
  /**
   * The URL the store's keys are reachable under, without a trailing `/`: `file:///srv/store`,
   * `s3://bucket/prefix`. Data files and manifests are named by `<location>/<key>`.
   */
  location: string;
  /** The table's folder in the store. Default `tables/events/`. */
  prefix?: string;
  now?: () => number;
  /** Default MANIFESTS_BEFORE_MERGE and SNAPSHOTS_KEPT (smaller in tests). */
  limits?: { manifestsBeforeMerge?: number; snapshotsKept?: number };
}

/** What a commit did. */
export type CommitOutcome =
  | { committed: true; version: number; snapshotId: number }
  | { committed: false; reason: 'already committed' | 'nothing to commit' };

export interface IcebergTable {
  /**
   * Appends data files (a snapshot `append`). Files already in the table with the same size and
   * rows are skipped (a retried commit); one put again with other contents gets its entry
   * replaced (`overwrite`).
   */
  append(files: readonly CommitFile[]): Promise<CommitOutcome>;
  /**
   * Replaces `removed` keys by `added` files in one snapshot (`replace`: the same rows in other
   * files, as compaction makes them). Keys not in the table are ignored.
   */
  replace(removed: readonly string[], added: readonly CommitFile[]): Promise<CommitOutcome>;
  /**
   * Records the new size and row count of files already in the table that were rewritten in
   * place (erasure), as an `overwrite` snapshot; files not in the table, or unchanged, are left.
   */
  refresh(files: readonly CommitFile[]): Promise<CommitOutcome>;
  /** The data files of the current snapshot (full paths), for tests and tools. */
  liveFiles(): Promise<DataFile[]>;
}

interface LoadedVersion {
  version: number;
  metadata: TableMetadata;
  manifests: ManifestFile[];
  /** Every manifest's live entries, by manifest path. */
  entries: Map<string, ManifestEntry[]>;
  /** The current snapshot's data files by path. */
  live: Map<string, DataFile>;
}

/** A table over `deps.store`; nothing is read or written until the first call. */
export function createIcebergTable(deps: IcebergTableDeps): IcebergTable {
  const prefix = deps.prefix ?? EVENTS_TABLE_PREFIX;
  const now = deps.now ?? Date.now;
  const manifestsBeforeMerge = deps.limits?.manifestsBeforeMerge ?? MANIFESTS_BEFORE_MERGE;
  const metadataKey = (name: string) => `${prefix}metadata/${name}`;
  const urlOf = (key: string) => `${deps.location}/${key}`;
  const versionKey = (version: number) => metadataKey(`v${version}.metadata.json`);
  const hintKey = metadataKey('version-hint.text');
  let cached: LoadedVersion | undefined;
  let lane: Promise<unknown> = Promise.resolve();

  function serialized<T>(task: () => Promise<T>): Promise<T> {
    const result = lane.then(task);
    lane = result.catch(() => {});
    return result;
  }

  async function newestVersion(): Promise<number> {
    const hint = await deps.store.get(hintKey);
    let version = hint ? Number.parseInt(new TextDecoder().decode(hint), 10) || 0 : 0;
    while (await deps.store.get(versionKey(version + 1))) version++;
    return version;
  }

  async function load(): Promise<LoadedVersion | undefined> {
    const version = await newestVersion();
    if (version === 0) return undefined;
    if (cached?.version === version) return cached;
    const body = await deps.store.get(versionKey(version));
    if (!body) throw new Error(`table version ${version} vanished: ${versionKey(version)}`);
    const metadata = JSON.parse(new TextDecoder().decode(body)) as TableMetadata;
    const current = metadata.snapshots.find(
      (snapshot) => snapshot['snapshot-id'] === metadata['current-snapshot-id'],
    );
    const manifests = current ? decodeManifestList(await read(current['manifest-list'])) : [];
    const entries = new Map<string, ManifestEntry[]>();
    for (const manifest of manifests) {
      const all = decodeManifest(await read(manifest.path));
      entries.set(
        manifest.path,
        all.filter((entry) => entry.status !== EntryStatus.deleted),
      );
    }
    const live = new Map(
      [...entries.values()].flat().map((entry) => [entry.file.path, entry.file] as const),
    );
    cached = { version, metadata, manifests, entries, live };
    return cached;
  }

  async function read(url: string): Promise<Uint8Array> {
    if (!url.startsWith(`${deps.location}/`)) throw new Error(`not in this store: ${url}`);
    const body = await deps.store.get(url.slice(deps.location.length + 1));
    if (!body) throw new Error(`table file missing: ${url}`);
    return body;
  }

  function dataFileOf(file: CommitFile): DataFile {
    const folder = file.key.slice(0, file.key.lastIndexOf('/') + 1);
    const partition = icebergPartitionOf(folder);
    if (!partition) throw new Error(`not an events partition's file: ${file.key}`);
    return {
      path: urlOf(file.key),
      partition,
      recordCount: file.recordCount,
      sizeBytes: file.sizeBytes,
    };
  }

  /** Writes the next version on top of `base`; false when another committer took its number. */
  async function commitOnce(
    base: LoadedVersion | undefined,
    removed: ReadonlySet<string>,
    added: readonly DataFile[],
    operation: SnapshotOperation,
  ): Promise<{ version: number; snapshotId: number } | undefined> {
    const snapshotId = newSnapshotId(base);
    const sequenceNumber = nextSequenceNumber(base?.metadata);
    const timestampMs = now();
    const id = `${snapshotId}`;
    const manifests: ManifestFile[] = [];
    const toWrite: { key: string; body: Uint8Array }[] = [];
    const addManifest = (name: string, entries: ManifestEntry[]) => {
      const body = encodeManifest(entries);
      const key = metadataKey(name);
      toWrite.push({ key, body });
      manifests.push(summarize(urlOf(key), body.byteLength, entries, snapshotId, sequenceNumber));
    };
    // Carried manifests: unchanged, or rewritten without what this commit removes.
    let carried = base?.manifests ?? [];
    const deleted: ManifestEntry[] = [];
    const rewritten: ManifestEntry[] = [];
    const merge = carried.length + 1 > manifestsBeforeMerge;
    const keep: ManifestFile[] = [];
    for (const manifest of carried) {
      const entries = base!.entries.get(manifest.path) ?? [];
      const hit = entries.some((entry) => removed.has(entry.file.path));
      if (!hit && !merge) {
        keep.push(manifest);
        continue;
      }
      for (const entry of entries) {
        if (removed.has(entry.file.path)) {
          deleted.push({ ...entry, status: EntryStatus.deleted, snapshotId });
        } else rewritten.push({ ...entry, status: EntryStatus.existing });
      }
    }
    carried = keep;
    const addedEntries = added.map((file) => ({
      status: EntryStatus.added,
      snapshotId,
      sequenceNumber,
      file,
    }));
    addManifest(`${id}-m0.avro`, [...addedEntries, ...rewritten, ...deleted]);
    const all = [...manifests, ...carried];
    const listKey = metadataKey(`snap-${id}.avro`);
    const list = encodeManifestList(all, {
      id: snapshotId,
      parentId: base?.metadata['current-snapshot-id'],
      sequenceNumber,
    });
    toWrite.push({ key: listKey, body: list });
    const addedRows = added.reduce((sum, file) => sum + file.recordCount, 0);
    const removedEntries = [...(base?.entries.values() ?? [])]
      .flat()
      .filter((entry) => removed.has(entry.file.path));
    const removedRows = removedEntries.reduce((sum, entry) => sum + entry.file.recordCount, 0);
    const totalFiles = (base?.live.size ?? 0) + added.length - removedEntries.length;
    const totalRows = Number(base ? totalRecordsOf(base) : 0) + addedRows - removedRows;
    const metadata = withSnapshot(
      base ? { metadata: base.metadata, file: urlOf(versionKey(base.version)) } : undefined,
      {
        id: snapshotId,
        timestampMs,
        manifestList: urlOf(listKey),
        operation,
        summary: {
          'added-data-files': String(added.length),
          'added-records': String(addedRows),
          'deleted-data-files': String(removedEntries.length),
          'deleted-records': String(removedRows),
          'total-data-files': String(totalFiles),
          'total-records': String(totalRows),
          'total-delete-files': '0',
          'total-position-deletes': '0',
          'total-equality-deletes': '0',
        },
      },
      { location: urlOf(prefix.replace(/\/$/, '')), uuid: crypto.randomUUID() },
      deps.limits?.snapshotsKept,
    );
    for (const file of toWrite) await deps.store.put(file.key, file.body);
    const version = (base?.version ?? 0) + 1;
    const body = new TextEncoder().encode(`${JSON.stringify(metadata, null, 1)}\n`);
    if (deps.store.putIfAbsent) {
      if (!(await deps.store.putIfAbsent(versionKey(version), body))) return undefined;
    } else {
      await deps.store.put(versionKey(version), body);
    }
    await deps.store.put(hintKey, new TextEncoder().encode(String(version)));
    return { version, snapshotId };
  }

  async function commit(
    removedKeys: readonly string[],
    addedFiles: readonly CommitFile[],
    operation: 'append' | 'replace',
    onlyLive = false,
  ): Promise<CommitOutcome> {
    if (removedKeys.length === 0 && addedFiles.length === 0) {
      return { committed: false, reason: 'nothing to commit' };
    }
    const files = addedFiles.map(dataFileOf);
    for (;;) {
      const base = await load();
      const live = base?.live ?? new Map<string, DataFile>();
      const added = onlyLive ? files.filter((file) => live.has(file.path)) : files;
      // A live file put again with other contents (erasure rewrote it) is overwritten.
      const changed = added.filter((file) => {
        const known = live.get(file.path);
        return (
          known && (known.sizeBytes !== file.sizeBytes || known.recordCount !== file.recordCount)
        );
      });
      const missing = added.filter((file) => !live.has(file.path) || changed.includes(file));
      // Added files all live as they are: this commit was made before a crash.
      if (missing.length === 0) return { committed: false, reason: 'already committed' };
      const removed = new Set([
        ...removedKeys.map(urlOf).filter((path) => live.has(path)),
        ...changed.map((file) => file.path),
      ]);
      // A replace of files the table never had only adds rows: that is an append.
      const kind = changed.length > 0 ? 'overwrite' : removed.size === 0 ? 'append' : operation;
      const done = await commitOnce(base, removed, missing, kind);
      if (done) return { committed: true, ...done };
    }
  }

  return {
    append: (files) => serialized(() => commit([], files, 'append')),
    replace: (removed, added) => serialized(() => commit(removed, added, 'replace')),
    refresh: (files) => serialized(() => commit([], files, 'append', true)),
    liveFiles: () =>
      serialized(async () => {
        const base = await load();
        return base ? [...base.entries.values()].flat().map((entry) => entry.file) : [];
      }),
  };
}

function totalRecordsOf(base: LoadedVersion): number {
  return [...base.entries.values()].flat().reduce((sum, entry) => sum + entry.file.recordCount, 0);
}

function summarize(
  path: string,
  length: number,
  entries: readonly ManifestEntry[],
  snapshotId: number,
  sequenceNumber: number,
): ManifestFile {
  const count = (status: number) => {
    const of = entries.filter((entry) => entry.status === status);
    return { files: of.length, rows: of.reduce((sum, entry) => sum + entry.file.recordCount, 0) };
  };
  const sequences = entries.map((entry) => entry.sequenceNumber);
  return {
    path,
    length,
    sequenceNumber,
    minSequenceNumber: sequences.length > 0 ? Math.min(...sequences) : sequenceNumber,
    addedSnapshotId: snapshotId,
    added: count(EntryStatus.added),
    existing: count(EntryStatus.existing),
    deleted: count(EntryStatus.deleted),
  };
}

// A random positive id below 2^53 (exact as a JavaScript number), unused by the table so far.
function newSnapshotId(base: LoadedVersion | undefined): number {
  for (;;) {
    const [high, low] = crypto.getRandomValues(new Uint32Array(2));
    const id = (high! & 0x1fffff) * 2 ** 32 + low! + 1;
    if (!base?.metadata.snapshots.some((snapshot) => snapshot['snapshot-id'] === id)) return id;
  }
}
