// A mobile app as Segment's mobile SDKs behave: events wait in an outbox on the phone, go out in
// batches to `/v1/batch` (write key as Basic auth user), each attempt stamped with the phone's
// `sentAt`, and stay in the outbox until a 200 is seen. The phone's clock may be hours off; an
// attempt that fails or times out is tried again later, whatever happened to it on the way.

export interface AppEvent {
  messageId: string;
  /** When it really happened (the test's clock). */
  trueTimeMs: number;
  body: Record<string, unknown>;
}

export interface MobileAppStats {
  requests: number;
  /** Refused connections, cut connections, timeouts, non-200 answers. */
  failed: number;
  timedOut: number;
  /** Events sent again after an attempt that carried them failed. */
  resentEvents: number;
}

export interface MobileApp {
  readonly deviceId: string;
  /** Records an event that happened at `trueTimeMs`, stamped by the phone's (wrong) clock. */
  track(event: string, trueTimeMs: number, properties: Record<string, unknown>): AppEvent;
  /** Sends until the outbox is empty (or `deadline`), `concurrency` requests at a time. */
  drain(deadline: number): Promise<void>;
  pending(): number;
  readonly stats: MobileAppStats;
}

export interface MobileAppOptions {
  url: () => string;
  writeKey: string;
  deviceId: string;
  /** How far the phone's clock is off, ms (positive: ahead). */
  clockSkewMs: number;
  /** Deterministic randomness for batch sizes and order. */
  random: () => number;
  timeoutMs?: number;
  maxBatch?: number;
  concurrency?: number;
}

export { seededRandom } from '@sluice/testkit/random';

export function createMobileApp(options: MobileAppOptions): MobileApp {
  const { random } = options;
  const timeoutMs = options.timeoutMs ?? 800;
  const maxBatch = options.maxBatch ?? 20;
  const concurrency = options.concurrency ?? 3;
  const outbox = new Map<string, AppEvent>();
  const inFlight = new Set<string>();
  const attempted = new Set<string>();
  const stats: MobileAppStats = { requests: 0, failed: 0, timedOut: 0, resentEvents: 0 };
  const phoneNow = () => Date.now() + options.clockSkewMs;
  const auth = `Basic ${Buffer.from(`${options.writeKey}:`).toString('base64')}`;
  let counter = 0;

  /** Takes a random handful of waiting events, in random order: arrival order is not creation order. */
  function pickBatch(): AppEvent[] {
    const waiting = [...outbox.values()].filter((e) => !inFlight.has(e.messageId));
    const size = Math.min(waiting.length, 1 + Math.floor(random() * maxBatch));
    const batch: AppEvent[] = [];
    while (batch.length < size) {
      const [event] = waiting.splice(Math.floor(random() * waiting.length), 1);
      batch.push(event!);
    }
    return batch;
  }

  async function send(batch: AppEvent[]): Promise<boolean> {
    stats.requests++;
    for (const e of batch) {
      if (attempted.has(e.messageId)) stats.resentEvents++;
      attempted.add(e.messageId);
      inFlight.add(e.messageId);
    }
    try {
      const response = await fetch(`${options.url()}/v1/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: auth },
        body: JSON.stringify({
          batch: batch.map((e) => e.body),
          sentAt: new Date(phoneNow()).toISOString(),
        }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`status ${response.status}`);
      for (const e of batch) outbox.delete(e.messageId);
      return true;
    } catch (error) {
      stats.failed++;
      if ((error as Error).name === 'TimeoutError') stats.timedOut++;
      return false;
    } finally {
      for (const e of batch) inFlight.delete(e.messageId);
    }
  }

  async function worker(deadline: number): Promise<void> {
    let failures = 0;
    while (outbox.size > 0 && Date.now() < deadline) {
      const batch = pickBatch();
      if (batch.length === 0) {
        await sleep(20);
        continue;
      }
      if (await send(batch)) {
        failures = 0;
      } else {
        // Backoff with jitter, short because the test compresses hours into seconds.
        failures++;
        await sleep(Math.min(400, 25 * 2 ** failures) * (0.5 + random()));
      }
    }
  }

  return {
    deviceId: options.deviceId,
    stats,
    pending: () => outbox.size,
    track(event, trueTimeMs, properties) {
      const messageId = `${options.deviceId}-${++counter}`;
      const body = {
        type: 'track',
        event,
        messageId,
        anonymousId: options.deviceId,
        properties,
        timestamp: new Date(trueTimeMs + options.clockSkewMs).toISOString(),
        context: {
          device: { id: options.deviceId, manufacturer: 'Apple', model: 'iPhone15,2' },
          os: { name: 'iOS', version: '18.1' },
          library: { name: 'analytics-ios', version: '4.1.8' },
        },
      };
      const appEvent = { messageId, trueTimeMs, body };
      outbox.set(messageId, appEvent);
      return appEvent;
    },
    async drain(deadline) {
      await Promise.all(Array.from({ length: concurrency }, () => worker(deadline)));
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
