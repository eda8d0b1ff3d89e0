// The inputs of a quarantine replay: the live quarantine files (manifest-aware, key order) of
// the chosen sources and days, each named by the SHA-256 of its stored bytes.

import { codecFor, decodeNdjson, type FileCodec, QUARANTINE_ROOT } from '@sluice/layout';
import type { ObjectStore } from '@sluice/store';
import { snapshotPartitions } from '../live-files.js';

/** One quarantine file and its content hash (lower-case hex). */
export interface QuarantineInput {
  key: string;
  source: string;
  inputId: string;
}

export interface InputChoice {
  /** Default: every source under `quarantine/`. */
  sources?: string[];
  /** `dt=` days in [sinceDay, untilDay), YYYY-MM-DD; open ends when not given. */
  sinceDay?: string;
  untilDay?: string;
}

const FOLDER = /^quarantine\/source=([^/]+)\/dt=(\d{4}-\d\d-\d\d)\/$/;

/** The chosen files, in key order, each read once to hash it. */
export async function listQuarantineInputs(
  store: ObjectStore,
  choice: InputChoice,
): Promise<QuarantineInput[]> {
  const roots = choice.sources
    ? [...new Set(choice.sources)]
        .sort()
        .map((source) => `${QUARANTINE_ROOT}source=${encodeURIComponent(source)}/`)
    : [QUARANTINE_ROOT];
  const inputs: QuarantineInput[] = [];
  for (const root of roots) {
    for (const snapshot of await snapshotPartitions(store, root)) {
      const match = FOLDER.exec(snapshot.partition);
      if (!match) continue;
      const day = match[2] as string;
      if (choice.sinceDay !== undefined && day < choice.sinceDay) continue;
      if (choice.untilDay !== undefined && day >= choice.untilDay) continue;
      const source = decodeURIComponent(match[1] as string);
      for (const { key } of snapshot.live) {
        inputs.push({ key, source, inputId: await sha256Hex(await getInput(store, key)) });
      }
    }
  }
  return inputs;
}

/**
 * The NDJSON lines of an input (gzip or zstd: quarantine is never Parquet), checked to be the
 * bytes its id was computed from.
 */
export async function readQuarantineInput(
  store: ObjectStore,
  codecs: readonly FileCodec[],
  input: QuarantineInput,
): Promise<string[]> {
  const bytes = await getInput(store, input.key);
  if ((await sha256Hex(bytes)) !== input.inputId) {
    throw new Error(`${input.key} changed while this replay ran; run it again`);
  }
  const codec = codecFor(input.key, codecs);
  if (!codec) throw new Error(`${input.key}: not a format this replay reads`);
  return decodeNdjson(await codec.toNdjson(bytes));
}

async function getInput(store: ObjectStore, key: string): Promise<Uint8Array> {
  const bytes = await store.get(key);
  if (!bytes) throw new Error(`${key} vanished while this replay ran; run it again`);
  return bytes;
}

/** Web Crypto: the same in Node and in Workers. */
async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>),
  );
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
