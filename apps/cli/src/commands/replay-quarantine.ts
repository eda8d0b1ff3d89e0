// `sluice replay --quarantine`: quarantined events judged again by the collector's config
// (each source's current plan and settings) and written into their own event-time hours.
import {
  FILE_FORMATS,
  gzipLevel6,
  nodeFileCodecs,
  parseReplayQuarantineOptions,
  replayQuarantine,
  type SourceRules,
} from '@sluice/forwarder';
import { compilePlan } from '@sluice/ingest';
import type { FileFormatName } from '@sluice/layout';
import { loadConfig } from '../lib/lifecycle.js';
import { count, withProgressBar } from '../lib/progress.js';
import { openStore, type StoreOptions } from '../lib/store-options.js';

export interface QuarantineReplayCommandOptions extends StoreOptions {
  source?: string[];
  config?: string;
  since?: number;
  until?: number;
  prefix?: string;
  format?: FileFormatName;
  maxFileBytes?: number;
  concurrency?: number;
}

const DAY_MS = 86_400_000;

/** The day (YYYY-MM-DD, UTC) a time falls in. */
const dayOf = (ms: number) => new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);

export async function runQuarantineReplay(options: QuarantineReplayCommandOptions): Promise<void> {
  const replayOptions = parseReplayQuarantineOptions({
    sources: options.source,
    // The days that overlap [since, until): until's own day counts unless it starts it.
    sinceDay: options.since === undefined ? undefined : dayOf(options.since),
    untilDay: options.until === undefined ? undefined : dayOf(options.until + DAY_MS - 1),
    prefix: options.prefix,
    maxFileBytes: options.maxFileBytes,
    uploadConcurrency: options.concurrency,
    progressEvery: 1_000,
  });
  const { config } = await loadConfig(options.config);
  const rules = new Map<string, SourceRules>();
  for (const source of config.sources) {
    // A plan still a path cannot happen here: the loader read every plan file.
    const plan = typeof source.plan === 'object' ? compilePlan(source.plan) : undefined;
    rules.set(source.id, {
      ...(plan ? { plan } : {}),
      enrich: source.enrich,
      maxEventBytes: source.limits.maxEventBytes,
      // "auto" decides per request, which the record does not keep: the browser's rule.
      keepPastTimestamps: source.side === 'server',
    });
  }
  const { store, where } = openStore(options);
  const result = await withProgressBar('replay quarantine', 'files', undefined, async (bar) => {
    const replayed = await replayQuarantine(
      {
        store,
        codecs: nodeFileCodecs,
        compress: gzipLevel6,
        ...(options.format ? { format: FILE_FORMATS[options.format] } : {}),
        rulesOf: (source) => rules.get(source),
        onProgress: (p) =>
          bar.update(
            p.inputsRead,
            `${count(p.records)} records, ${count(p.events)} events, ${count(p.stillInvalid)} still invalid`,
            p.inputs,
          ),
        onError: (error, during) =>
          process.stderr.write(`\n${during} failed, retrying: ${(error as Error).message}\n`),
      },
      replayOptions,
    );
    bar.stop(
      `${count(replayed.events)} events in ${count(replayed.files)} files, ${count(replayed.stillInvalid)} still invalid`,
    );
    return replayed;
  });
  process.stdout.write(`${JSON.stringify({ store: where, ...result })}\n`);
}
