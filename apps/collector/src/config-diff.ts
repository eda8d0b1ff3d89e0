// What a config reload changed, for its log line: sources by id, and keys no longer accepted.
import type { CollectorConfig, SourceConfig } from './config.js';

export interface ConfigChange {
  added: number;
  changed: number;
  removed: number;
  /** Write keys and secret-key hashes accepted before and not now. */
  revokedKeys: number;
  /** A few ids of each kind, for the log (a config may hold 100,000 sources). */
  examples: { added: string[]; changed: string[]; removed: string[] };
  summary: string;
}

const EXAMPLES = 5;

const keysOf = (source: SourceConfig) => [...source.writeKeys, ...source.secretKeys];

export function describeConfigChange(
  before: CollectorConfig,
  after: CollectorConfig,
): ConfigChange {
  const old = new Map(before.sources.map((s) => [s.id, s]));
  const now = new Set(after.sources.map((s) => s.id));
  const accepted = new Set(after.sources.flatMap(keysOf));
  const added: string[] = [];
  const changed: string[] = [];
  let changedCount = 0;
  let addedCount = 0;
  for (const source of after.sources) {
    const previous = old.get(source.id);
    if (!previous) {
      addedCount++;
      if (added.length < EXAMPLES) added.push(source.id);
    } else if (JSON.stringify(previous) !== JSON.stringify(source)) {
      changedCount++;
      if (changed.length < EXAMPLES) changed.push(source.id);
    }
  }
  const removed = before.sources.filter((s) => !now.has(s.id)).map((s) => s.id);
  const revokedKeys = before.sources.flatMap(keysOf).filter((key) => !accepted.has(key)).length;
  const summary = `${addedCount} added, ${changedCount} changed, ${removed.length} removed sources; ${revokedKeys} keys revoked`;
  return {
    added: addedCount,
    changed: changedCount,
    removed: removed.length,
    revokedKeys,
    examples: { added, changed, removed: removed.slice(0, EXAMPLES) },
    summary,
  };
}
