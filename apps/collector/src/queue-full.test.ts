// Backpressure with the real embedded log: its disk budget (`maxBytes`) refuses appends
// while events wait to be forwarded, and the collector passes that on as a 503.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LogQueue, openLogQueue } from '@sluice/queue';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningCollector, startCollector } from './node.js';
import { expectError, readQueue, shop, testConfig, trackEvent } from './test-support.js';

let dir: string;
let queue: LogQueue;
let collector: RunningCollector;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-full-'));
  // Room for about one batch: nothing is forwarded, so the second one cannot fit.
  queue = await openLogQueue({ dir, durability: 'none', maxBytes: 2_000 });
  // The forwarder's consumer exists, so the budget counts its unforwarded events.
  await (await queue.consumer('forwarder')).close();
  collector = await startCollector({ queue, config: testConfig, logger: false });
});
afterEach(async () => {
  await collector.close();
  await queue.close();
  await rm(dir, { recursive: true, force: true });
});

function send(ids: string[]) {
  return fetch(`${collector.url}/v1/batch`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain' },
    body: JSON.stringify({
      writeKey: shop.key,
      batch: ids.map((messageId) =>
        trackEvent({ messageId, properties: { pad: 'x'.repeat(300) } }),
      ),
    }),
  });
}

describe('a full queue', () => {
  it('answers 503 queue_full with Retry-After, acknowledges nothing, and is not ready', async () => {
    expect((await send(['a1', 'a2'])).status).toBe(200);
    const refused = await send(['b1', 'b2', 'b3', 'b4']);
    await expectError(refused, 503, 'queue_full');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await readQueue(queue)).map((e) => e.id)).toEqual(['a1', 'a2']);
    expect((await fetch(`${collector.url}/readyz`)).status).toBe(503);
  });
});
