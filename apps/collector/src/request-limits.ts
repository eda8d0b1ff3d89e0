import type { ClientAddress } from './client-ip.js';
import type { CollectorConfig, SourceConfig } from './config.js';
import { CollectorError } from './errors.js';
import { type BucketRate, createKeyedRateLimiter, TokenBucket } from './rate-limit.js';
import { createUsageCounters, type UsageCounters } from './source-usage.js';

/** What one request brings: its events and its body's bytes (as read, gzip inflated). */
export interface RequestVolume {
  events: number;
  bytes: number;
}

/** The rate limits of one collector process: per client IP and per source. */
export interface RequestLimits {
  /** Refuses (429) a client over its rate; checked before the body is read. */
  checkClient(address: ClientAddress | undefined, nowMs: number): void;
  /** Refuses (429) a request over its source's rate; checked once the source is known. */
  checkSource(source: SourceConfig, nowMs: number): void;
  /**
   * Refuses (429) a request whose events or bytes pass its client's or its source's rate;
   * checked once the batch is parsed, before any event is validated or queued. Then counts
   * them as the source's usage, or refuses (429 quota_exceeded) a request over its quota.
   */
  checkVolume(
    address: ClientAddress | undefined,
    source: SourceConfig,
    volume: RequestVolume,
    nowMs: number,
  ): void;
}

function rateLimited(seconds: number, message: string): CollectorError {
  return new CollectorError(429, 'rate_limited', `${message}; retry after ${seconds} s`, {
    headers: { 'Retry-After': String(seconds) },
  });
}

const requests = (rate: { requestsPerSecond: number; burst: number }): BucketRate => ({
  perSecond: rate.requestsPerSecond,
  burst: rate.burst,
});
const events = (rate: { eventsPerSecond: number; burst: number }): BucketRate => ({
  perSecond: rate.eventsPerSecond,
  burst: rate.burst,
});
const bytes = (rate: { bytesPerSecond: number; burst: number }): BucketRate => ({
  perSecond: rate.bytesPerSecond,
  burst: rate.burst,
});

/** A source's buckets, by source id; sources without the limit have none. */
function sourceBuckets(
  config: CollectorConfig,
  startMs: number,
  rateOf: (source: SourceConfig) => BucketRate | null | undefined,
): Map<string, TokenBucket> {
  const buckets = new Map<string, TokenBucket>();
  for (const source of config.sources) {
    const rate = rateOf(source);
    if (rate) buckets.set(source.id, new TokenBucket(rate, startMs));
  }
  return buckets;
}

/**
 * Creates the buckets the config asks for; a limit set to null costs nothing. `usage` outlives
 * one config (reloads build new limits over the same counts).
 */
export function createRequestLimits(
  config: CollectorConfig,
  startMs: number,
  usage: UsageCounters = createUsageCounters(),
): RequestLimits {
  const { ipRate, ipEventRate, ipByteRate, maxTrackedClients } = config.limits;
  const keyed = (rate: BucketRate | undefined) =>
    rate ? createKeyedRateLimiter(rate, maxTrackedClients) : undefined;
  const clients = keyed(ipRate ? requests(ipRate) : undefined);
  const clientEvents = keyed(ipEventRate ? events(ipEventRate) : undefined);
  const clientBytes = keyed(ipByteRate ? bytes(ipByteRate) : undefined);
  const sources = sourceBuckets(config, startMs, (s) => s.limits.rate && requests(s.limits.rate));
  const sourceEvents = sourceBuckets(
    config,
    startMs,
    (s) => s.limits.eventRate && events(s.limits.eventRate),
  );
  const sourceBytes = sourceBuckets(
    config,
    startMs,
    (s) => s.limits.byteRate && bytes(s.limits.byteRate),
  );
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
    checkVolume(address, source, volume, nowMs) {
      if (address) {
        let wait = clientBytes?.take(address.rateKey, nowMs, volume.bytes) ?? 0;
        if (wait > 0) throw rateLimited(wait, 'too many bytes from this address');
        wait = clientEvents?.take(address.rateKey, nowMs, volume.events) ?? 0;
        if (wait > 0) throw rateLimited(wait, 'too many events from this address');
      }
      let wait = sourceBytes.get(source.id)?.take(nowMs, volume.bytes) ?? 0;
      if (wait > 0) throw rateLimited(wait, `too many bytes for source ${source.id}`);
      wait = sourceEvents.get(source.id)?.take(nowMs, volume.events) ?? 0;
      if (wait > 0) throw rateLimited(wait, `too many events for source ${source.id}`);
      wait = usage.take(source.id, source.limits.quota, volume.events, volume.bytes, nowMs);
      if (wait > 0) {
        throw new CollectorError(
          429,
          'quota_exceeded',
          `source ${source.id} has sent its quota of events; retry after ${wait} s`,
          { headers: { 'Retry-After': String(wait) } },
        );
      }
    },
  };
}
