// The NATS client is loaded when a NATS queue is opened, not when @sluice/queue is imported:
// a process on the embedded log (the default) never loads it.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runWatchingPackages } from '@sluice/testkit/modules';
import { expect, it } from 'vitest';

it('loads the NATS client when a nats: queue is opened, not on import or for a log', async () => {
  const index = pathToFileURL(join(import.meta.dirname, '..', 'index.ts')).href;
  const result = (await runWatchingPackages(`
    import { mkdtemp } from 'node:fs/promises';
    import { tmpdir } from 'node:os';
    import { join } from 'node:path';
    const { openQueue } = await import(${JSON.stringify(index)});
    const log = await openQueue('log:' + join(await mkdtemp(join(tmpdir(), 'lazy-nats-')), 'q'));
    await log.close();
    const before = loadedPackages();
    // Nothing listens on port 9: the connection is refused, after the client was loaded.
    const failed = await openQueue('nats://127.0.0.1:9').then(
      () => 'no error',
      (error) => String(error.message ?? error),
    );
    console.log(JSON.stringify({ before, after: loadedPackages(), failed }));
  `)) as { before: string[]; after: string[]; failed: string };
  expect(result.before.filter((name) => name.startsWith('@nats-io/'))).toEqual([]);
  expect(result.after).toEqual(expect.arrayContaining(['@nats-io/transport-node']));
  expect(result.failed).not.toBe('no error');
});
