import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type NatsTestServers, startNatsServer } from '@sluice/testkit/nats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { resolveNatsQueueOptions } from './nats-options.js';
import { openLeaseBucket } from './shard-lease.js';

let servers: NatsTestServers;
let nc: NatsConnection;
beforeAll(async () => {
  servers = await startNatsServer();
  nc = await connect({ servers: servers.url });
});
afterAll(async () => {
  await nc?.close();
  await servers?.stop();
});

it('lists the live keys under a filter, not the removed ones, and leaves no consumer behind', async () => {
  const options = resolveNatsQueueOptions({ servers: servers.url, stream: 'LEASES' });
  const bucket = await openLeaseBucket(nc, options);
  await bucket.heartbeat('g.member.a', 'a');
  await bucket.heartbeat('g.member.b', 'b');
  await bucket.heartbeat('h.member.c', 'c');
  await bucket.remove('g.member.b');

  // The shard runner asks this every quarter of a lease: a consumer left per call piles up.
  for (let i = 0; i < 10; i++) expect(await bucket.keys('g.member.*')).toEqual(['g.member.a']);
  expect(await bucket.keys('none.*')).toEqual([]);
  const jsm = await jetstreamManager(nc);
  expect((await jsm.streams.info('KV_LEASES_leases')).state.consumer_count).toBe(0);
});
