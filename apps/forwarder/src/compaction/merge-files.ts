import { compactedNameOf, concatNdjson, countLines, type FileCodec } from '@sluice/layout';
import { UnsupportedParquetError } from '@sluice/layout/parquet';
import type { ObjectStore } from '@sluice/store';
import type { LiveFile } from '../live-files.js';
import type { LiveOutput } from './manifest.js';

export interface MergeFilesInput {
  store: ObjectStore;
  partition: string;
  /** The format of `files`, and of the outputs. */
  codec: FileCodec;
  /** Candidate files in key order; those of at least half the target are left alone. */
  files: readonly LiveFile[];
  targetFileBytes: number;
  /** Names the outputs `<stem of first input>.c<generation><ext>`. */
  generation: number;
  onOutput?: (output: LiveOutput, key: string, inputs: string[]) => void;
}

export interface MergedFiles {
  outputs: LiveOutput[];
  /** The files now held by an output. */
  merged: LiveFile[];
  /** Candidates left alone: big enough, or alone in their group. */
  kept: string[];
}

/**
 * Writes outputs of up to `targetFileBytes` of NDJSON, each the concatenation of consecutive
 * small inputs (whole files, in key order). Depends only on the inputs, so a re-run writes the
 * same outputs. Holds one output's worth of NDJSON at a time.
 */
export async function mergeFiles(input: MergeFilesInput): Promise<MergedFiles> {
  const { store, partition, codec, targetFileBytes } = input;
  const result: MergedFiles = { outputs: [], merged: [], kept: [] };
  let group: { file: LiveFile; ndjson: Uint8Array }[] = [];
  let groupBytes = 0;

  async function closeGroup(): Promise<void> {
    const inputs = group;
    group = [];
    groupBytes = 0;
    const first = inputs[0];
    if (!first || inputs.length < 2) {
      // Rewriting one file under a new name would gain nothing.
      result.kept.push(...inputs.map((each) => each.file.key));
      return;
    }
    const name = compactedNameOf(first.file.name, input.generation, codec.extension);
    const key = `${partition}${name}`;
    const ndjson = concatNdjson(inputs.map((each) => each.ndjson));
    const output = { name, bytes: ndjson.byteLength, lines: countLines(ndjson) };
    await store.put(key, await codec.fromNdjson(ndjson), { contentType: codec.contentType });
    result.outputs.push(output);
    result.merged.push(...inputs.map((each) => each.file));
    input.onOutput?.(
      output,
      key,
      inputs.map((each) => each.file.key),
    );
  }

  for (const file of input.files) {
    const stored = await store.get(file.key);
    if (!stored) {
      throw new Error(
        `${file.key} vanished during compaction: is another compaction or erasure running?`,
      );
    }
    const ndjson = await readableNdjson(codec, stored);
    if (!ndjson) {
      result.kept.push(file.key);
      continue;
    }
    if (ndjson.byteLength * 2 >= targetFileBytes) {
      result.kept.push(file.key);
      continue;
    }
    // Any two small files fit together, so every output but a partition's last is over half full.
    if (groupBytes + ndjson.byteLength > targetFileBytes) await closeGroup();
    group.push({ file, ndjson });
    groupBytes += ndjson.byteLength;
  }
  await closeGroup();
  return result;
}

// A Parquet file sluice did not write (other columns or types) is left as it is, not merged.
async function readableNdjson(
  codec: FileCodec,
  stored: Uint8Array,
): Promise<Uint8Array | undefined> {
  try {
    return await codec.toNdjson(stored);
  } catch (error) {
    if (error instanceof UnsupportedParquetError) return undefined;
    throw error;
  }
}
