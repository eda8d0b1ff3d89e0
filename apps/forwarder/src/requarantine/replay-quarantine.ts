// `sluice replay --quarantine`: writes quarantined events again, once the plan or the data was
// fixed, into the event-time partitions they would have had (`<prefix>events/source=…/dt=…/hh=…/`).
//
// Inputs: the live quarantine files (manifest-aware, key order) of the chosen sources and days
// (`dt=` in [sinceDay, untilDay)). Each is an input as in `sluice import`: its id is the SHA-256
// of its stored bytes and its output files are `importFileName(id, line of their first record)`
// through the bulk writer, cut by size only. So a re-run over the same quarantine writes the same
// keys with the same bytes, no name can meet a forwarder's, and each input's files depend on
// that input alone (never on which other files a run selected, which could shrink a file).
//
// Each record is judged as its path would judge it today (quarantined-event.ts): validation,
// the event time, the source's current tracking plan (`flag` keeps it flagged). One still
// refused is written nowhere (it is in quarantine already): counted, the first few listed.
//
// Nothing counted twice: quarantine keeps every refused copy, so a messageId met again in this
// run (key then line order) is dropped; and an event whose messageId is already in a live file
// of its target partition is dropped (stored-ids.ts: this run's own files left out, so a re-run
// sees what the first run saw). Files are read twice (hash first, so every own file is known
// before a partition is read); one that changed in between stops the run: run it again.

import { type FileCodec, type FileFormat, importFileName, partitionOf } from '@sluice/layout';
import type { FieldIssue } from '@sluice/schema';
import type { ObjectStore } from '@sluice/store';
import { createBulkWriter } from '../bulk/bulk-writer.js';
import { listQuarantineInputs, readQuarantineInput } from './quarantine-inputs.js';
import { judgeQuarantined, type SourceRules } from './quarantined-event.js';
import {
  parseReplayQuarantineOptions,
  type ReplayQuarantineOptionsInput,
} from './replay-quarantine-options.js';
import { createStoredIds } from './stored-ids.js';

export interface ReplayQuarantineDeps {
  store: ObjectStore;
  /** Readers of the stored formats (the Node entry: `nodeFileCodecs`). */
  codecs: readonly FileCodec[];
  /** Deterministic gzip for `.ndjson.gz` output (the Node entry: `gzipLevel6`). */
  compress: (data: Uint8Array) => Promise<Uint8Array>;
  /** The format of the files written; default gzip NDJSON. */
  format?: FileFormat;
  /** The source's rules from the collector's config; undefined for a source it does not have. */
  rulesOf: (source: string) => SourceRules | undefined;
  onProgress?: (progress: QuarantineReplayProgress) => void;
  onError?: (error: unknown, during: string) => void;
  signal?: AbortSignal;
}

/** A record still refused, as listed in the result. */
export interface StillInvalid {
  file: string;
  line: number;
  messageId?: string;
  reason: FieldIssue[];
}

/** How far a quarantine replay got. */
export interface QuarantineReplayProgress {
  prefix: string;
  /** Quarantine files read (of `inputs`), and their records. */
  inputs: number;
  inputsRead: number;
  records: number;
  /** Events written; records still refused; repeats of this run; events already stored. */
  events: number;
  stillInvalid: number;
  repeatsInQuarantine: number;
  alreadyStored: number;
  /** Files uploaded, their uncompressed and compressed bytes. */
  files: number;
  bytesIn: number;
  bytesOut: number;
}

export interface QuarantineReplayResult extends QuarantineReplayProgress {
  /** The first still-refused records (`listInvalid` of the options). */
  invalid: StillInvalid[];
}

/** Replays the chosen quarantine; resolves with the counts (see the module comment). */
export async function replayQuarantine(
  deps: ReplayQuarantineDeps,
  optionsInput: ReplayQuarantineOptionsInput,
): Promise<QuarantineReplayResult> {
  const options = parseReplayQuarantineOptions(optionsInput);
  const prefix = options.prefix ?? '';
  const inputs = await listQuarantineInputs(deps.store, options);
  const missing = [...new Set(inputs.map((i) => i.source))].filter((s) => !deps.rulesOf(s));
  if (missing.length > 0) {
    throw new Error(`not in the collector's config: source ${missing.join(', ')}`);
  }
  const storedIds = createStoredIds(
    deps.store,
    deps.codecs,
    inputs.map((i) => i.inputId),
  );
  const seen = new Set<string>();
  const invalid: StillInvalid[] = [];
  const counts = {
    inputs: inputs.length,
    inputsRead: 0,
    records: 0,
    events: 0,
    stillInvalid: 0,
    repeatsInQuarantine: 0,
    alreadyStored: 0,
    files: 0,
    bytesIn: 0,
    bytesOut: 0,
  };
  const progress = (): QuarantineReplayProgress => ({ prefix, ...counts });

  for (const input of inputs) {
    const rules = deps.rulesOf(input.source) as SourceRules;
    const lines = await readQuarantineInput(deps.store, deps.codecs, input);
    const writer = createBulkWriter({
      store: deps.store,
      compress: deps.compress,
      ...(deps.format ? { format: deps.format } : {}),
      fileName: (line) => importFileName(input.inputId, line),
      options: { ...options, prefix },
      onError: deps.onError,
      signal: deps.signal,
    });
    for (const [index, text] of lines.entries()) {
      if (text.trim() === '') continue;
      const line = index + 1;
      counts.records++;
      if (counts.records % options.progressEvery === 0) deps.onProgress?.(progress());
      const place = { source: input.source, inputId: input.inputId, line };
      const verdict = judgeQuarantined(text, place, rules);
      if (verdict.kind === 'invalid') {
        counts.stillInvalid++;
        if (invalid.length < options.listInvalid) {
          const { reason, messageId } = verdict;
          invalid.push({ file: input.key, line, ...(messageId ? { messageId } : {}), reason });
        }
        continue;
      }
      const { message } = verdict;
      if (seen.has(message.id)) {
        counts.repeatsInQuarantine++;
        continue;
      }
      seen.add(message.id);
      const partition = partitionOf(message);
      if (await storedIds.has(`${prefix}${partition}`, message.id)) {
        counts.alreadyStored++;
        continue;
      }
      counts.events++;
      const { id, body, time } = message;
      await writer.add({ partition, id, body, ordinal: line, time });
    }
    const written = await writer.finish();
    counts.files += written.files;
    counts.bytesIn += written.bytesIn;
    counts.bytesOut += written.bytesOut;
    counts.inputsRead++;
  }
  const done = progress();
  deps.onProgress?.(done);
  return { ...done, invalid };
}
