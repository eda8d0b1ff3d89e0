// One MQTT connection (mqtt.js) of the bridge: a persistent session, QoS 1 subscriptions, and
// a PUBACK for each message only once the handler says the queue holds it.

import { connect, type IClientOptions, type IConnackPacket } from 'mqtt';
import type { DeliveryEvent, DeliveryFlags, DeliveryOutcome } from './delivery-handler.js';

/** What the bridge reports, for logs. */
export type BridgeEvent =
  | DeliveryEvent
  | { type: 'connected'; clientId: string; sessionPresent: boolean }
  | { type: 'subscribed'; clientId: string; filters: string[] }
  | { type: 'disconnected'; clientId: string }
  | { type: 'error'; clientId: string; error: string };

export interface BrokerConnectionOptions {
  url: string;
  /** clientId, credentials, TLS, timers; `clean`, `resubscribe` and `manualConnect` are set here. */
  clientOptions: IClientOptions & { clientId: string };
  /** Subscribed with QoS 1 on every connect. */
  filters: string[];
  handle(topic: string, payload: Uint8Array, flags: DeliveryFlags): Promise<DeliveryOutcome>;
  /** Aborted when the bridge stops: later messages are left unacknowledged. */
  signal: AbortSignal;
  emit(event: BridgeEvent): void;
}

export interface BrokerConnection {
  /** Finishes the message in hand, then disconnects; the broker keeps the session. */
  close(): Promise<void>;
}

const encoder = new TextEncoder();

/**
 * Connects with a fixed client id and a session that outlives the connection (`clean:
 * false`), and resolves once the first connection is up and subscribed; rejects when that
 * fails (wrong address or credentials, a refused subscription). Later outages are retried by
 * mqtt.js. mqtt.js sends a message's PUBACK when `handleMessage` calls back, and hands over
 * the next message only then: so each PUBACK follows its append.
 */
export async function openBrokerConnection(
  options: BrokerConnectionOptions,
): Promise<BrokerConnection> {
  const { clientId } = options.clientOptions;
  const client = connect(options.url, {
    ...options.clientOptions,
    clean: false,
    // Subscriptions are made on every connect below, not replayed by mqtt.js.
    resubscribe: false,
    manualConnect: true,
  });

  // Counts connections: a PUBACK goes only on the connection that delivered the message. After
  // a reconnect the broker delivers it again (same session) and the copy is appended again;
  // both carry the same messageId, which the forwarder stores once.
  let connection = 0;
  let inFlight: Promise<void> = Promise.resolve();
  client.handleMessage = (packet, callback) => {
    const deliveredOn = connection;
    if (options.signal.aborted) {
      // Calling back with an error skips the PUBACK: the broker keeps it for the next session.
      callback(new Error('the bridge is stopping'));
      return;
    }
    const payload =
      typeof packet.payload === 'string' ? encoder.encode(packet.payload) : packet.payload;
    const flags = { redelivered: packet.dup === true, retained: packet.retain === true };
    inFlight = options.handle(packet.topic, payload, flags).then(
      (outcome) => {
        if (outcome === 'stopped' || deliveredOn !== connection) {
          callback(new Error('not acknowledged: delivered again in the next session'));
        } else {
          callback();
        }
      },
      (error: unknown) => {
        options.emit({ type: 'error', clientId, error: describe(error) });
        callback(error instanceof Error ? error : new Error(String(error)));
      },
    );
  };

  async function subscribe(): Promise<void> {
    const grants = await client.subscribeAsync(
      Object.fromEntries(options.filters.map((filter) => [filter, { qos: 1 as const }])),
    );
    // A QoS 0 grant would let the broker drop messages on the way to the bridge; 128 is "no".
    const refused = grants.filter((grant) => grant.qos !== 1);
    if (refused.length > 0) {
      const topics = refused.map((g) => g.topic).join(', ');
      throw new Error(`the broker refused QoS 1 subscriptions: ${topics}`);
    }
    options.emit({ type: 'subscribed', clientId, filters: options.filters });
  }

  const firstConnection = new Promise<void>((resolve, reject) => {
    let started = false;
    client.on('connect', (connack: IConnackPacket) => {
      connection++;
      options.emit({ type: 'connected', clientId, sessionPresent: connack.sessionPresent });
      // Subscribing again to a filter the session has replaces it without interrupting the
      // flow (MQTT 3.8.4), and picks up routes added since the session began.
      subscribe().then(
        () => {
          started = true;
          resolve();
        },
        (error: unknown) => {
          options.emit({ type: 'error', clientId, error: describe(error) });
          if (!started) reject(error);
        },
      );
    });
    client.on('error', (error) => {
      options.emit({ type: 'error', clientId, error: describe(error) });
      if (!started) reject(error);
    });
  });
  client.on('close', () => {
    connection++;
    options.emit({ type: 'disconnected', clientId });
  });
  client.connect();
  try {
    await firstConnection;
  } catch (error) {
    await client.endAsync(true);
    throw error;
  }

  let closed: Promise<void> | undefined;
  return {
    close() {
      closed ??= (async () => {
        await inFlight;
        await client.endAsync();
      })();
      return closed;
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
