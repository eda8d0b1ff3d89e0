import {
  compactedNameOf,
  concatNdjson,
  countLines,
  type FileCodec,
  type FileWriter,
} from '@sluice/layout';
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
 * same outputs. Where the codec encodes as it goes (`openWriter`), each input's NDJSON is
 * handed to the output's encoder as soon as it is read, so memory holds one input's NDJSON and
 * the encoded output so far (for gzip and Parquet a fraction of the target), not a whole
 * output's NDJSON; other codecs hold one output's NDJSON.
 */
export async function mergeFiles(input: MergeFilesInput): Promise<MergedFiles> {
  const { store, partition, codec, targetFileBytes } = input;
  const result: MergedFiles = { outputs: [], merged: [], kept: [] };
  let group = new OutputGroup(codec);

  async function closeGroup(): Promise<void> {
    const closing = group;
    group = new OutputGroup(codec);
    const first = closing.files[0];
    if (!first || closing.files.length < 2) {
      // Rewriting one file under a new name would gain nothing.
      result.kept.push(...closing.files.map((file) => file.key));
      return;
    }
    const name = compactedNameOf(first.name, input.generation, codec.extension);
    const key = `${partition}${name}`;
    const output = { name, bytes: closing.outputBytes, lines: closing.lines };
    await store.put(key, await closing.finish(), { contentType: codec.contentType });
    result.outputs.push(output);
    result.merged.push(...closing.files);
    input.onOutput?.(
      output,
      key,
      closing.files.map((file) => file.key),
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
    if (group.bytes + ndjson.byteLength > targetFileBytes) await closeGroup();
    await group.add(file, ndjson);
  }
  await closeGroup();
  return result;
}

/**
 * The inputs of one output and their NDJSON on its way into the output's encoding. The first
 * input waits (a group of one is kept, not rewritten); from the second on, the codec's writer
 * takes each as it comes.
 */
class OutputGroup {
  readonly files: LiveFile[] = [];
  /** The inputs' NDJSON bytes. */
  bytes = 0;
  /** The output's NDJSON bytes: the inputs' and a newline for each input without a last one. */
  outputBytes = 0;
  lines = 0;
  private waiting: Uint8Array[] = [];
  private writer: FileWriter | undefined;

  constructor(private readonly codec: FileCodec) {}

  async add(file: LiveFile, ndjson: Uint8Array): Promise<void> {
    this.files.push(file);
    this.bytes += ndjson.byteLength;
    this.outputBytes += ndjson.byteLength + (endsWithNewline(ndjson) ? 0 : 1);
    this.lines += countLines(ndjson);
    this.waiting.push(ndjson);
    if (this.files.length < 2 || !this.codec.openWriter) return;
    this.writer ??= this.codec.openWriter();
    for (const part of this.waiting) {
      // As concatNdjson joins them: a last line without its newline gets one.
      const whole = endsWithNewline(part) ? part : concatNdjson([part]);
      if (!this.writer.write(whole)) await this.writer.drained();
    }
    this.waiting = [];
  }

  /** The output's bytes: the same as the codec's `fromNdjson` of the inputs' NDJSON joined. */
  finish(): Promise<Uint8Array> {
    if (this.writer) return this.writer.finish();
    return this.codec.fromNdjson(concatNdjson(this.waiting));
  }
}

function endsWithNewline(ndjson: Uint8Array): boolean {
  return ndjson.byteLength === 0 || ndjson[ndjson.byteLength - 1] === 0x0a;
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
