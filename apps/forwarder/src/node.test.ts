import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { openLogQueue } from '@sluice/queue';
import { describe, expect, it } from 'vitest';
import { startForwarder } from './node.js';
import { bodyText, cleanupsAfterEach, message, tempFsStore, waitFor } from './test-support.js';

const cleanups = cleanupsAfterEach();

async function tempLog() {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-forwarder-node-'));
  const queue = await openLogQueue({ dir });
  cleanups.push(async () => {
    await queue.close();
    await rm(dir, { recursive: true, force: true });
  });
  return queue;
}

describe('startForwarder', () => {
  it('forwards the log into gzip files and, on stop, uploads what is buffered and releases the consumer', async () => {
    const queue = await tempLog();
    const { store, cleanup } = await tempFsStore();
    cleanups.push(cleanup);
    const forwarder = await startForwarder({ queue, store, options: { readWaitMs: 10 } });
    const messages = Array.from({ length: 5 }, (_, n) => message(n));
    await queue.append(messages);
    await waitFor(() => forwarder.stats().read === 5);
    await forwarder.stop();
    await forwarder.done;

    const keys: string[] = [];
    for await (const { key } of store.list('events/')) keys.push(key);
    expect(keys).toHaveLength(1);
    const file = await store.get(keys[0]!);
    // A real gzip stream (magic bytes 1f 8b) holding the bodies as lines.
    expect([file![0], file![1]]).toEqual([0x1f, 0x8b]);
    expect(gunzipSync(file!).toString()).toBe(messages.map((m) => `${bodyText(m)}\n`).join(''));
    // The consumer was closed and everything acknowledged: it opens again, at the end.
    expect((await queue.consumer('forwarder')).committed).toBe(5);
  });

  it('remembers stored messageIds across a restart in stateDir, dropping a later repeat', async () => {
    const queue = await tempLog();
    const { store, root, cleanup } = await tempFsStore();
    cleanups.push(cleanup);
    const stateDir = join(root, '..', `${basename(root)}-state`);
    cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
    const options = { readWaitMs: 10 };
    const first = await startForwarder({ queue, store, stateDir, options });
    await queue.append([message(0), message(1)]);
    await waitFor(() => first.stats().read === 2);
    await first.stop();

    const second = await startForwarder({ queue, store, stateDir, options });
    await queue.append([message(2, { id: 'm0' }), message(3)]);
    await waitFor(() => second.stats().read === 2);
    await second.stop();
    expect(second.stats()).toMatchObject({ repeatsDropped: 1, linesWritten: 1, acked: 2 });
  });

  it('refuses invalid options with a message naming the setting', async () => {
    const queue = await tempLog();
    const { store, cleanup } = await tempFsStore();
    cleanups.push(cleanup);
    await expect(startForwarder({ queue, store, options: { maxFileBytes: 1 } })).rejects.toThrow(
      /maxFileBytes/,
    );
  });
});
