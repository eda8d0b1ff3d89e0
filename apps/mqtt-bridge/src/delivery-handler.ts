// What the bridge does with one delivered message, independent of the MQTT client: route it by
// topic, map it, and append it; the caller acknowledges to the broker only on 'queued'.

import type { QueueProducer } from '@sluice/queue';
import { appendUntilQueued } from './append-until-queued.js';
import type { BridgeConfig, RouteConfig } from './bridge-config.js';
import { mapDeviceMessage } from './device-message.js';
import { compileTopicPattern, type TopicPattern } from './topic-pattern.js';

/**
 * 'queued': in the queue, acknowledge. 'skipped': nothing to store (a retained copy, or no
 * route matches), acknowledge. 'stopped': the bridge stopped first, do not acknowledge.
 */
export type DeliveryOutcome = 'queued' | 'skipped' | 'stopped';

/** The MQTT flags of a delivery. */
export interface DeliveryFlags {
  /** DUP: the broker sent it before and got no PUBACK. */
  redelivered: boolean;
  /**
   * RETAIN: the broker's stored copy, sent because a subscription was made (MQTT 3.3.1.3);
   * messages on an existing subscription (live, or held for the session) arrive without it.
   */
  retained: boolean;
}

/** What happened, for logs. */
export type DeliveryEvent =
  | { type: 'append_failed'; error: string; attempt: number; retryInMs: number }
  | { type: 'unrouted'; topic: string };

export interface DeliveryStats {
  /** Messages delivered by the broker (redeliveries included). */
  received: number;
  /** Of those, redeliveries the broker flagged (DUP): it had sent them before without a PUBACK. */
  redelivered: number;
  /** Appended as valid events. */
  events: number;
  /** Appended to quarantine. */
  quarantined: number;
  /** Retained copies skipped: the message itself came (or comes) on the subscription. */
  retainedCopies: number;
  /** On a topic no route matches (a subscription left in the session by an older config). */
  unrouted: number;
  /** Appends the queue refused and that were retried. */
  appendFailures: number;
}

export interface DeliveryHandlerOptions {
  queue: Pick<QueueProducer, 'append'>;
  config: Pick<BridgeConfig, 'routes' | 'retry'>;
  /** Aborted when the bridge stops. */
  signal: AbortSignal;
  now?: () => number;
  onEvent?: (event: DeliveryEvent) => void;
}

export interface DeliveryHandler {
  /** The broker subscriptions, one filter per route. */
  readonly filters: string[];
  handle(topic: string, payload: Uint8Array, flags: DeliveryFlags): Promise<DeliveryOutcome>;
  stats(): DeliveryStats;
}

/** Creates the handler for a config; throws on a route whose topic pattern is unusable. */
export function createDeliveryHandler(options: DeliveryHandlerOptions): DeliveryHandler {
  const routes: { route: RouteConfig; pattern: TopicPattern }[] = options.config.routes.map(
    (route) => ({ route, pattern: compileTopicPattern(route.topic) }),
  );
  const now = options.now ?? Date.now;
  const stats: DeliveryStats = {
    received: 0,
    redelivered: 0,
    events: 0,
    quarantined: 0,
    retainedCopies: 0,
    unrouted: 0,
    appendFailures: 0,
  };
  return {
    filters: [...new Set(routes.map((r) => r.pattern.filter))],
    stats: () => ({ ...stats }),
    async handle(topic, payload, flags) {
      const receivedAtMs = now();
      stats.received++;
      if (flags.redelivered) stats.redelivered++;
      if (flags.retained) {
        // Storing it would count a reading again at every reconnect, after the dedup window.
        stats.retainedCopies++;
        return 'skipped';
      }
      for (const { route, pattern } of routes) {
        const fields = pattern.match(topic);
        if (!fields) continue;
        const { message } = await mapDeviceMessage({ topic, payload, receivedAtMs, route, fields });
        const queued = await appendUntilQueued((m) => options.queue.append(m), [message], {
          ...options.config.retry,
          signal: options.signal,
          onFailure(error, attempt, retryInMs) {
            stats.appendFailures++;
            const text = error instanceof Error ? error.message : String(error);
            options.onEvent?.({ type: 'append_failed', error: text, attempt, retryInMs });
          },
        });
        if (!queued) return 'stopped';
        if (message.kind === 'event') stats.events++;
        else stats.quarantined++;
        return 'queued';
      }
      stats.unrouted++;
      options.onEvent?.({ type: 'unrouted', topic });
      return 'skipped';
    },
  };
}
