// Prometheus metrics of the MQTT bridge (prom-client): its delivery counters read at each
// scrape, and whether it is connected to the broker, from its events.
import { metricsIn } from '@sluice/queue/metrics';
import type { Registry } from 'prom-client';
import type { BridgeEvent } from './broker-connection.js';
import type { DeliveryStats } from './delivery-handler.js';

export interface BridgeMetrics {
  /** Pass every bridge event here (`onEvent`), besides logging it. */
  event(event: BridgeEvent): void;
  /** Where the counters come from once the bridge runs. */
  watch(source: { stats(): DeliveryStats }): void;
  /** Connected to the broker and subscribed: what /readyz reports. */
  connected(): boolean;
}

const COUNTED: [keyof DeliveryStats, string, string][] = [
  [
    'received',
    'sluice_mqtt_messages_received_total',
    'Messages the broker delivered (redeliveries included)',
  ],
  [
    'redelivered',
    'sluice_mqtt_messages_redelivered_total',
    'Redeliveries the broker flagged (DUP)',
  ],
  ['events', 'sluice_mqtt_events_appended_total', 'Messages appended to the queue as valid events'],
  ['quarantined', 'sluice_mqtt_events_quarantined_total', 'Messages appended to quarantine'],
  ['unrouted', 'sluice_mqtt_messages_unrouted_total', 'Messages on a topic no route matches'],
  [
    'appendFailures',
    'sluice_mqtt_append_failures_total',
    'Appends the queue refused (each retried)',
  ],
];

/** Registers the bridge's metrics (names start with `sluice_mqtt_`) in `registry`. */
export function createBridgeMetrics(registry: Registry): BridgeMetrics {
  const m = metricsIn(registry);
  let source: { stats(): DeliveryStats } | undefined;
  let isConnected = false;
  for (const [field, name, help] of COUNTED) m.total(name, help, () => source?.stats()[field] ?? 0);
  m.gauge('sluice_mqtt_connected', '1 while connected and subscribed to the broker', () =>
    isConnected ? 1 : 0,
  );
  const connections = m.counter(
    'sluice_mqtt_connection_events_total',
    'Broker connections made, lost and failed, by event',
    ['event'],
  );
  return {
    event(event) {
      if (event.type === 'subscribed') isConnected = true;
      if (event.type === 'disconnected') isConnected = false;
      if (event.type === 'connected' || event.type === 'disconnected' || event.type === 'error') {
        connections.inc({ event: event.type });
      }
    },
    watch(watched) {
      source = watched;
    },
    connected: () => isConnected,
  };
}
