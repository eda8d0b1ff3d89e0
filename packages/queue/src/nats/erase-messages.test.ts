import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type NatsTestServers, startNatsServer } from '@sluice/testkit/nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueEntry, QueueMessage } from '../queue.js';
import { eraseStreamMessages } from './erase-messages.js';
import { openNatsQueue } from './nats-queue.js';

let servers: NatsTestServers;
beforeAll(async () => {
  servers = await startNatsServer();
});
afterAll(async () => {
  await servers?.stop();
});

const userOf = (n: number) => (n % 3 === 0 ? 'victim-1' : `user-${n}`);
const message = (n: number): QueueMessage => ({
  id: `m${n}`,
  source: 'shop',
  time: Date.UTC(2026, 10, 24, 10, n),
  kind: 'event',
  body: new TextEncoder().encode(JSON.stringify({ messageId: `m${n}`, userId: userOf(n) })),
});
const isVictims = (m: QueueMessage) => Buffer.from(m.body).includes('"victim-1"');

/** Every file of the server's store, as one buffer (what a disk image would show). */
async function storeBytes(dir: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) parts.push(await readFile(join(entry.parentPath, entry.name)));
  }
  return Buffer.concat(parts);
}

describe('eraseStreamMessages', () => {
  it("deletes the subject's messages from the stream, on disk too; the forwarder gets the others", async () => {
    const queue = await openNatsQueue({
      servers: servers.url,
      stream: 'ERASE',
      subjectPrefix: 'erase',
      shards: 1,
    });
    try {
      await queue.append(Array.from({ length: 12 }, (_, n) => message(n)));
      expect((await storeBytes(servers.dir)).includes('victim-1')).toBe(true);

      const report = await eraseStreamMessages({
        servers: servers.url,
        stream: 'ERASE',
        matches: isVictims,
      });

      // Messages 0, 3, 6 and 9 are sequences 1, 4, 7 and 10.
      expect(report).toEqual({
        stream: 'ERASE',
        messagesScanned: 12,
        deletedSequences: [1, 4, 7, 10],
      });
      expect((await storeBytes(servers.dir)).includes('victim-1')).toBe(false);
      const consumer = await queue.consumer('forwarder');
      // A pull may hand over fewer than are waiting (the first one at times): read until 8 came.
      const read: QueueEntry[] = [];
      for (const deadline = Date.now() + 10_000; read.length < 8 && Date.now() < deadline; ) {
        read.push(...(await consumer.read(100, 500)));
      }
      expect(read.map((entry) => entry.id)).toEqual([
        'm1',
        'm2',
        'm4',
        'm5',
        'm7',
        'm8',
        'm10',
        'm11',
      ]);
      await consumer.ack(read);
      await consumer.close();
      const again = await eraseStreamMessages({
        servers: servers.url,
        stream: 'ERASE',
        matches: isVictims,
      });
      expect(again.deletedSequences).toEqual([]);
    } finally {
      await queue.close();
    }
  });
});
