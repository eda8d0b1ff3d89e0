import type { ClientAddress } from './client-ip.js';
import type { CollectorConfig, SourceConfig } from './config.js';
import { CollectorError } from './errors.js';
import { createKeyedRateLimiter, TokenBucket } from './rate-limit.js';

/** The rate limits of one collector process: per client IP and per source. */
export interface RequestLimits {
  /** Refuses (429) a client over its rate; checked before the body is read. */
  checkClient(address: ClientAddress | undefined, nowMs: number): void;
  /** Refuses (429) a request over its source's rate; checked once the source is known. */
  checkSource(source: SourceConfig, nowMs: number): void;
}

function rateLimited(seconds: number, message: string): CollectorError {
  return new CollectorError(429, 'rate_limited', `${message}; retry after ${seconds} s`, {
    headers: { 'Retry-After': String(seconds) },
  });
}

/** Creates the buckets the config asks for; a limit set to null costs nothing. */
export function createRequestLimits(config: CollectorConfig, startMs: number): RequestLimits {
  const ipRate = config.limits.ipRate;
  const clients = ipRate
    ? createKeyedRateLimiter(ipRate, config.limits.maxTrackedClients)
    : undefined;
  const sources = new Map<string, TokenBucket>();
  for (const source of config.sources) {
    if (source.limits.rate) sources.set(source.id, new TokenBucket(source.limits.rate, startMs));
  }
  return {
    checkClient(address, nowMs) {
      // Without a known address (a runtime that does not tell) there is nothing to key on.
      if (!clients || !address) return;
      const wait = clients.take(address.rateKey, nowMs);
      if (wait > 0) throw rateLimited(wait, 'too many requests from this address');
    },
    checkSource(source, nowMs) {
      const wait = sources.get(source.id)?.take(nowMs) ?? 0;
      if (wait > 0) throw rateLimited(wait, `too many requests for source ${source.id}`);
    },
  };
}
