// Merges a partition's small files into files of about the target size, with one manifest put
// as the switch (object stores have no rename). Steps, and what a crash after each leaves:
// 1. delete leftovers of an interrupted run (replaced inputs, outputs not in the manifest);
// 2. write outputs `<stem of first input>.c<generation+1><ext>` - readers ignore them until
//    step 3, so a crash here leaves orphans that the next run deletes in step 1 and writes again;
// 3. put the manifest naming the outputs live and the inputs replaced - the switch;
// 4. delete the inputs - a crash before this is done leaves replaced inputs, which readers
//    ignore and the next run deletes in step 1.
// Readers stay consistent throughout (live-files.ts). Names and cuts depend only on the inputs,
// so a re-run after a crash writes the same files, and a run with nothing new writes nothing.
// With an Iceberg table, step 2b commits the Parquet outputs in place of their inputs (one
// `replace` snapshot, so table readers see each event once throughout): after the outputs
// exist, before the switch. A crash after it repeats steps 1-2 (the same outputs, byte for
// byte) and finds the commit made; until then the table names outputs step 1 deleted, so a
// table read in that window fails rather than counting anything twice.
// One maintenance job (compaction or erasure) at a time per store: step 1 deletes what it
// takes for leftovers, and without conditional puts there is no safe lock on S3.

import {
  codecFor,
  type FileCodec,
  FORMATS,
  formatOfName,
  icebergPartitionOf,
} from '@sluice/layout';
import type { ObjectStore } from '@sluice/store';
import type { LiveFile, PartitionSnapshot } from '../live-files.js';
import { snapshotPartition } from '../live-files.js';
import type { CommitFile, IcebergTable } from '../table/iceberg-table.js';
import { type CompactionOptionsInput, parseCompactionOptions } from './compaction-options.js';
import { deleteAll } from './delete-all.js';
import { type LiveOutput, writeManifest } from './manifest.js';
import { mergeFiles } from './merge-files.js';
import {
  acknowledgedByLogPartition,
  type LogPartitionPositions,
  loadCheckpointWatermarks,
  unsettledFilesOf,
} from './settled-files.js';

export interface CompactionDeps {
  store: ObjectStore;
  /** The formats to read and write (Node: `nodeFileCodecs`); files of other formats stay as they are. */
  codecs: readonly FileCodec[];
  /** The Iceberg table of the events files: Parquet outputs replace their inputs there. */
  table?: IcebergTable;
}

/** What compaction reports while it works. */
export type CompactionProgress =
  | { type: 'recovered'; partition: string; deleted: string[] }
  | {
      type: 'output';
      partition: string;
      key: string;
      inputs: string[];
      lines: number;
      bytes: number;
    }
  | { type: 'switched'; partition: string; generation: number }
  | { type: 'done'; result: PartitionCompaction };

export interface CompactPartitionOptions extends CompactionOptionsInput {
  /**
   * The forwarder checkpoints' watermarks for this partition by log partition; read from the
   * store when omitted.
   */
  watermarks?: LogPartitionPositions;
  onProgress?: (progress: CompactionProgress) => void;
}

/** What one partition's compaction did. */
export interface PartitionCompaction {
  partition: string;
  /** The manifest's generation afterwards. */
  generation: number;
  /** Leftovers of an interrupted run, deleted before anything else. */
  recovered: string[];
  /** Files merged into the outputs and deleted. */
  inputs: string[];
  outputs: { key: string; lines: number; bytes: number }[];
  /** Live files left as they are: big enough, alone, of an unknown format, or not final yet. */
  kept: string[];
}

/**
 * Compacts one partition (`partition` is its folder, ending in `/`). Meant for partitions that
 * get no more events on time (`compactClosedPartitions` picks those); files written later are
 * still read, and merged by a later run.
 */
export async function compactPartition(
  deps: CompactionDeps,
  partition: string,
  options: CompactPartitionOptions = {},
): Promise<PartitionCompaction> {
  const { watermarks, onProgress, ...rest } = options;
  const parsed = parseCompactionOptions(rest);
  const { targetFileBytes } = parsed;
  const { store } = deps;
  const snapshot = await snapshotPartition(store, partition);
  const result: PartitionCompaction = {
    partition,
    generation: snapshot.manifest.generation,
    recovered: snapshot.leftovers,
    inputs: [],
    outputs: [],
    kept: [],
  };
  if (snapshot.leftovers.length > 0) {
    await deleteAll(store, snapshot.leftovers);
    onProgress?.({ type: 'recovered', partition, deleted: snapshot.leftovers });
  }

  const unsettled = unsettledFilesOf({
    names: [...snapshot.live.map((file) => file.name), ...snapshot.manifest.replaced],
    watermarks: watermarks ?? (await loadCheckpointWatermarks(store)).get(partition),
    acknowledgedBelow: acknowledgedByLogPartition(parsed),
  });
  const generation = snapshot.manifest.generation + 1;
  const merged: LiveFile[] = [];
  const outputs: LiveOutput[] = [];
  const tableInputs: string[] = [];
  const tableOutputs: { key: string; lines: number }[] = [];
  for (const [codec, files] of byCodec(snapshot, deps.codecs, result.kept)) {
    const candidates = files.filter((file) => {
      // Outputs' NDJSON size is in the manifest; other files are measured once read, and only
      // a stored size of the whole target proves a file big without reading it (for NDJSON:
      // a small Parquet file, its metadata and all, can be larger than its events' NDJSON).
      const holdsRows = formatOfName(file.name)?.holds === 'rows';
      const small =
        !unsettled.includes(file.name) &&
        (file.bytes === undefined
          ? holdsRows || (file.size ?? 0) < targetFileBytes
          : file.bytes * 2 < targetFileBytes);
      if (!small) result.kept.push(file.key);
      return small;
    });
    const done = await mergeFiles({
      store,
      partition,
      codec,
      files: candidates,
      targetFileBytes,
      generation,
      onOutput: (output, key, inputs) => {
        result.outputs.push({ key, lines: output.lines, bytes: output.bytes });
        onProgress?.({ type: 'output', partition, key, inputs, ...output });
      },
    });
    outputs.push(...done.outputs);
    merged.push(...done.merged);
    result.kept.push(...done.kept);
    if (codec.extension === FORMATS.parquet.extension) {
      tableInputs.push(...done.merged.map((file) => file.key));
      tableOutputs.push(
        ...done.outputs.map((output) => ({
          key: `${partition}${output.name}`,
          lines: output.lines,
        })),
      );
    }
  }
  if (deps.table && tableOutputs.length > 0 && icebergPartitionOf(partition)) {
    await deps.table.replace(tableInputs, await withSizes(store, partition, tableOutputs));
  }

  if (outputs.length > 0) {
    const mergedNames = new Set(merged.map((file) => file.name));
    await writeManifest(store, partition, {
      version: 1,
      generation,
      live: [
        ...snapshot.manifest.live.filter((output) => !mergedNames.has(output.name)),
        ...outputs,
      ],
      replaced: [
        ...snapshot.manifest.replaced,
        ...merged.filter((file) => file.origin !== 'compaction').map((file) => file.name),
      ],
    });
    result.generation = generation;
    onProgress?.({ type: 'switched', partition, generation });
    result.inputs = merged.map((file) => file.key);
    await deleteAll(store, result.inputs);
  }
  result.kept.sort();
  onProgress?.({ type: 'done', result });
  return result;
}

/** Live files grouped by format, in key order; files of unknown formats go to `kept`. */
function byCodec(
  snapshot: PartitionSnapshot,
  codecs: readonly FileCodec[],
  kept: string[],
): Map<FileCodec, LiveFile[]> {
  const groups = new Map<FileCodec, LiveFile[]>();
  for (const file of snapshot.live) {
    const codec = codecFor(file.name, codecs);
    if (!codec) {
      kept.push(file.key);
      continue;
    }
    const files = groups.get(codec) ?? [];
    files.push(file);
    groups.set(codec, files);
  }
  return groups;
}

/** The outputs as table files: their stored sizes, from one listing of the partition. */
async function withSizes(
  store: ObjectStore,
  partition: string,
  outputs: readonly { key: string; lines: number }[],
): Promise<CommitFile[]> {
  const sizes = new Map<string, number>();
  for await (const { key, size } of store.list(partition)) sizes.set(key, size);
  return outputs.map(({ key, lines }) => {
    const size = sizes.get(key);
    if (size === undefined) throw new Error(`${key} vanished before its table commit`);
    return { key, recordCount: lines, sizeBytes: size };
  });
}
