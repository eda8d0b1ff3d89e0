// The manifest-aware reader: which files of a partition hold its events right now.
//
// Protocol (a reader): list the prefix to the end, THEN read each partition's manifest, then
// read the files. Live = every listed data file that is neither a compaction output nor named in
// `replaced`, plus the outputs the manifest names (read by key, listed or not).
// Why this order is enough while compaction (outputs -> manifest put -> delete inputs) runs:
// - an output is read only once the manifest names it, and it was written before that manifest;
// - an input is deleted only after a manifest naming it as replaced was written, so an input the
//   listing missed because it was already deleted is replaced in the manifest read afterwards,
//   and an input that is not replaced there was present during the whole listing;
// - an object the snapshot names but that is gone when read (a later compaction deleted it) sends
//   the reader back to a fresh snapshot of that partition (`readLiveFiles` does so).
// A plain glob over `events/**/*.ndjson.gz` sees the same files once no compaction is running
// or interrupted: consistent at rest; this reader is consistent always.

import {
  codecFor,
  type FileCodec,
  forwarderPositionOf,
  isCompactedName,
  isDataKey,
  splitKey,
} from '@sluice/layout';
import type { ObjectInfo, ObjectStore } from '@sluice/store';
import { type PartitionManifest, readManifest } from './compaction/manifest.js';

/** A data file a reader must read. */
export interface LiveFile {
  key: string;
  /** Its name inside the partition. */
  name: string;
  /** Who wrote it: the forwarder (`<position>.<ext>`), compaction, or anything else (replay, import). */
  origin: 'forwarder' | 'compaction' | 'other';
  /** Stored (compressed) size, when the listing saw it. */
  size?: number;
  /** NDJSON bytes and lines, known for compaction outputs from the manifest. */
  bytes?: number;
  lines?: number;
}

/** One partition as a reader sees it at one moment. */
export interface PartitionSnapshot {
  /** The folder, ending in `/`. */
  partition: string;
  manifest: PartitionManifest;
  /** The files to read, in key order. */
  live: LiveFile[];
  /**
   * Data files present that readers ignore: inputs already replaced by an output, and outputs the
   * manifest does not name (not yet committed, or replaced). A finished compaction leaves none.
   */
  leftovers: string[];
}

const MANIFEST_READS_AT_ONCE = 8;

/** Snapshots every partition (folder) below `prefix` that holds any object. */
export async function snapshotPartitions(
  store: ObjectStore,
  prefix: string,
): Promise<PartitionSnapshot[]> {
  const folders = new Map<string, ObjectInfo[]>();
  for await (const info of store.list(prefix)) {
    const { folder } = splitKey(info.key);
    // Hidden folders (`_sluice/checkpoints/`) hold no partitions.
    if (folder === '' || !isDataKey(folder.slice(0, -1))) continue;
    let files = folders.get(folder);
    if (!files) {
      files = [];
      folders.set(folder, files);
    }
    if (isDataKey(info.key)) files.push(info);
  }
  // Only now, with the listing complete, are manifests read (the order the protocol needs).
  const partitions = [...folders];
  const snapshots: PartitionSnapshot[] = [];
  for (let i = 0; i < partitions.length; i += MANIFEST_READS_AT_ONCE) {
    const batch = partitions.slice(i, i + MANIFEST_READS_AT_ONCE);
    const manifests = await Promise.all(batch.map(([folder]) => readManifest(store, folder)));
    batch.forEach(([folder, files], index) => {
      snapshots.push(applyManifest(folder, files, manifests[index] as PartitionManifest));
    });
  }
  return snapshots.sort((a, b) => (a.partition < b.partition ? -1 : 1));
}

/** The folders below `prefix` that hold objects (hidden folders left out), in key order. */
export async function listPartitionFolders(store: ObjectStore, prefix: string): Promise<string[]> {
  const folders = new Set<string>();
  for await (const { key } of store.list(prefix)) {
    const { folder } = splitKey(key);
    if (folder !== '' && isDataKey(folder.slice(0, -1))) folders.add(folder);
  }
  return [...folders].sort();
}

/** Snapshots one partition: `partition` is its folder, ending in `/`. */
export async function snapshotPartition(
  store: ObjectStore,
  partition: string,
): Promise<PartitionSnapshot> {
  const files: ObjectInfo[] = [];
  for await (const info of store.list(partition)) {
    if (splitKey(info.key).folder === partition && isDataKey(info.key)) files.push(info);
  }
  return applyManifest(partition, files, await readManifest(store, partition));
}

/**
 * The keys of every file that holds live events below `prefix` (a partition folder or any parent
 * of partitions), in key order: replaced inputs and uncommitted outputs left out. A caller that
 * reads them later may find one gone (a later compaction deleted it): then list again.
 */
export async function listLiveFiles(store: ObjectStore, prefix: string): Promise<string[]> {
  const snapshots = await snapshotPartitions(store, prefix);
  return snapshots.flatMap((snapshot) => snapshot.live.map((file) => file.key));
}

/** A live file's content as NDJSON. */
export interface LiveFileContent {
  key: string;
  ndjson: Uint8Array;
}

export interface ReadLiveFilesOptions {
  codecs: readonly FileCodec[];
  /** Fresh snapshots tried per partition when files vanish under the reader. Default 10. */
  maxAttempts?: number;
}

/**
 * Reads the live files below `prefix`, one partition at a time; each partition is yielded whole
 * and consistent (every event exactly once), re-snapshotted when a file vanished while read.
 */
export async function* readLiveFiles(
  store: ObjectStore,
  prefix: string,
  options: ReadLiveFilesOptions,
): AsyncGenerator<{ partition: string; files: LiveFileContent[] }> {
  const maxAttempts = options.maxAttempts ?? 10;
  for (let snapshot of await snapshotPartitions(store, prefix)) {
    for (let attempt = 1; ; attempt++) {
      const files = await readSnapshot(store, snapshot, options.codecs);
      if (files) {
        yield { partition: snapshot.partition, files };
        break;
      }
      if (attempt >= maxAttempts) {
        throw new Error(
          `files of ${snapshot.partition} kept vanishing while read (${attempt} tries)`,
        );
      }
      snapshot = await snapshotPartition(store, snapshot.partition);
    }
  }
}

/** The snapshot's files, or undefined when one of them is gone. */
async function readSnapshot(
  store: ObjectStore,
  snapshot: PartitionSnapshot,
  codecs: readonly FileCodec[],
): Promise<LiveFileContent[] | undefined> {
  const files: LiveFileContent[] = [];
  for (const { key, name } of snapshot.live) {
    const codec = codecFor(name, codecs);
    if (!codec) throw new Error(`no codec for ${key}`);
    const bytes = await store.get(key);
    if (!bytes) return undefined;
    files.push({ key, ndjson: await codec.toNdjson(bytes) });
  }
  return files;
}

function applyManifest(
  partition: string,
  listed: readonly ObjectInfo[],
  manifest: PartitionManifest,
): PartitionSnapshot {
  const replaced = new Set(manifest.replaced);
  const outputs = new Map(manifest.live.map((output) => [output.name, output]));
  const live: LiveFile[] = [];
  const leftovers: string[] = [];
  for (const { key, size } of listed) {
    const { name } = splitKey(key);
    if (outputs.has(name)) continue;
    if (replaced.has(name) || isCompactedName(name)) {
      leftovers.push(key);
      continue;
    }
    const origin = forwarderPositionOf(name) === undefined ? 'other' : 'forwarder';
    live.push({ key, name, origin, size });
  }
  const sizes = new Map(listed.map((info) => [info.key, info.size]));
  for (const output of outputs.values()) {
    const key = `${partition}${output.name}`;
    live.push({
      key,
      name: output.name,
      origin: 'compaction',
      size: sizes.get(key),
      bytes: output.bytes,
      lines: output.lines,
    });
  }
  live.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { partition, manifest, live, leftovers };
}
