// For the workerd tests (*.test.ts here): the Worker bundled exactly as `wrangler deploy`
// would upload it (--dry-run: no account, no network), the miniflare options that run that
// bundle with wrangler.toml's bindings, as wrangler itself reads them, and the instances a
// test file starts on that bundle (`bundledWorkers`).
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Miniflare, type MiniflareOptions } from 'miniflare';
import { afterAll, beforeAll } from 'vitest';

const APP_DIR = resolve(import.meta.dirname, '..');

/** Writes the bundle (worker.js and the tag's text module) into `outdir`. */
export async function bundleWorker(outdir: string): Promise<void> {
  const require = createRequire(import.meta.url);
  const wrangler = join(dirname(require.resolve('wrangler/package.json')), 'bin', 'wrangler.js');
  await promisify(execFile)(
    process.execPath,
    [wrangler, 'deploy', '--dry-run', '--outdir', outdir],
    { cwd: APP_DIR, env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' } },
  );
}

/** Options for the bundle in `outdir`: wrangler.toml's bindings with `vars` over its [vars]. */
export async function bundledWorkerOptions(
  outdir: string,
  vars: Record<string, string>,
): Promise<MiniflareOptions & { queueConsumers: Record<string, object> }> {
  const { unstable_getMiniflareWorkerOptions } = await import('wrangler');
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(APP_DIR, 'wrangler.toml'));
  return {
    ...(workerOptions as object),
    modules: true,
    modulesRoot: outdir,
    scriptPath: join(outdir, 'worker.js'),
    // wrangler emits the tag (a Text rule in wrangler.toml) as its own module beside the bundle.
    modulesRules: [{ type: 'Text', include: ['*-sluice.js'] }],
    bindings: { ...(workerOptions.bindings as object), ...vars },
    queueConsumers: workerOptions.queueConsumers as Record<string, object>,
  } as MiniflareOptions & { queueConsumers: Record<string, object> };
}

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
