// What a source must satisfy given the rest of the config: ids, keys and app ids unique
// across sources, and request sizes within the collector's. And the size limits a source
// inherits. One implementation for zod's parse (which words every problem) and for the
// compiled check of many sources (which only needs to know whether there is one), so both
// judge alike (issue 24: 100,000 sources, one pass over them).
import { MAX_EVENT_BYTES } from '@sluice/schema';
import type { z } from 'zod';
import type { sourceSchema } from './config-source.js';

type Source = z.output<typeof sourceSchema>;

/** The collector-wide sizes the rules and the inherited limits depend on. */
export interface CollectorSizes {
  maxRequestBytes: number;
  maxEventBytes?: number | undefined;
}

export type Issue = (path: (string | number)[], message: string) => void;

/**
 * A function that checks one source after another (in order: the first of two sources
 * using an id or key is the owner named) and reports each problem to `issue`.
 */
export function sourceRules(limits: CollectorSizes, issue: Issue) {
  const ids = new Set<string>();
  // Write keys and secret key hashes share one namespace: either authenticates.
  const keys = new Map<string, string>();
  const appIds = new Map<string, string>();
  const collectorMax = limits.maxRequestBytes;
  const checkKeys = (list: readonly string[], i: number, field: string, id: string) => {
    for (let k = 0; k < list.length; k++) {
      const key = list[k]!;
      const owner = keys.get(key);
      if (owner !== undefined) {
        issue(['sources', i, field, k], `this key is already used by source "${owner}"`);
      }
      keys.set(key, id);
    }
  };
  return (source: Source, i: number): void => {
    if (ids.has(source.id)) issue(['sources', i, 'id'], `source id "${source.id}" is used twice`);
    ids.add(source.id);
    checkKeys(source.writeKeys, i, 'writeKeys', source.id);
    checkKeys(source.secretKeys, i, 'secretKeys', source.id);
    for (let k = 0; k < source.snowplowAppIds.length; k++) {
      const appId = source.snowplowAppIds[k]!;
      const owner = appIds.get(appId);
      if (owner !== undefined) {
        issue(
          ['sources', i, 'snowplowAppIds', k],
          `this app id is already used by source "${owner}"`,
        );
      }
      appIds.set(appId, source.id);
    }
    const maxRequest = source.limits.maxRequestBytes ?? collectorMax;
    if (maxRequest > collectorMax) {
      issue(
        ['sources', i, 'limits', 'maxRequestBytes'],
        `must be at most limits.maxRequestBytes (${collectorMax})`,
      );
    }
    if ((source.limits.byteRate?.burst ?? Number.POSITIVE_INFINITY) < maxRequest) {
      issue(
        ['sources', i, 'limits', 'byteRate', 'burst'],
        `must be at least the request limit (${maxRequest}), or the largest request never passes`,
      );
    }
    const maxEvent = source.limits.maxEventBytes;
    if (maxEvent !== undefined && maxEvent > maxRequest) {
      issue(
        ['sources', i, 'limits', 'maxEventBytes'],
        `must be at most the request limit (${maxRequest})`,
      );
    }
  };
}

/** The collector's largest event for sources that set none. */
export function collectorMaxEventBytes(limits: CollectorSizes): number {
  return limits.maxEventBytes ?? Math.min(MAX_EVENT_BYTES, limits.maxRequestBytes);
}

/** A source's limits with the collector-wide sizes it does not set filled in. */
export function inheritedLimits(sourceLimits: Source['limits'], limits: CollectorSizes) {
  const maxRequestBytes = sourceLimits.maxRequestBytes ?? limits.maxRequestBytes;
  return {
    rate: sourceLimits.rate,
    eventRate: sourceLimits.eventRate,
    byteRate: sourceLimits.byteRate,
    quota: sourceLimits.quota,
    maxEventBytes:
      sourceLimits.maxEventBytes ?? Math.min(collectorMaxEventBytes(limits), maxRequestBytes),
    maxRequestBytes,
  };
}
