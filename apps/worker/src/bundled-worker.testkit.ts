// For the workerd tests (*.test.ts here): the instances a test file starts on the bundle of
// wrangler-bundle.testkit.ts (`bundledWorkers`), which this file re-exports.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Miniflare, type MiniflareOptions } from 'miniflare';
import { afterAll, beforeAll } from 'vitest';
import { bundledWorkerOptions, bundleWorker } from './wrangler-bundle.testkit.js';

export { bundledWorkerOptions, bundleWorker } from './wrangler-bundle.testkit.js';

/** A test file's bundle (made once, before its tests) and the instances its tests start. */
export interface BundledWorkers {
  /** A path in the file's own temp directory (removed after its tests). */
  path(...parts: string[]): string;
  /** bundledWorkerOptions for this file's bundle. */
  options(
    vars: Record<string, string>,
  ): Promise<MiniflareOptions & { queueConsumers: Record<string, object> }>;
  /** Starts an instance, ready; it is disposed after the file's tests unless stopped before. */
  start(options: MiniflareOptions): Promise<Miniflare>;
  /** Stops `mf` now (workerd exits; what it persisted stays on disk). */
  stop(mf: Miniflare): Promise<void>;
}

/** Registers the bundle's beforeAll and the cleanup's afterAll in the calling test file. */
export function bundledWorkers(name: string): BundledWorkers {
  let dir: string | undefined;
  const started: Miniflare[] = [];
  const path = (...parts: string[]) => {
    if (dir === undefined) throw new Error('bundledWorkers: used before its beforeAll');
    return join(dir, ...parts);
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `sluice-${name}-`));
    await bundleWorker(path('bundle'));
  }, 60_000);
  afterAll(async () => {
    for (const mf of started.splice(0)) await mf.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return {
    path,
    options: (vars) => bundledWorkerOptions(path('bundle'), vars),
    async start(options) {
      const mf = new Miniflare(options);
      started.push(mf);
      await mf.ready;
      return mf;
    },
    async stop(mf) {
      started.splice(started.indexOf(mf), 1);
      await mf.dispose();
    },
  };
}
