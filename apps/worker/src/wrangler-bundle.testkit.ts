// The Worker bundled exactly as `wrangler deploy` would upload it (--dry-run: no account, no
// network), and the miniflare options that run that bundle with wrangler.toml's bindings, as
// wrangler itself reads them. Free of vitest, so `pnpm bench` (bench/suites/edge-files-suite.ts)
// runs the same bundle the workerd tests do.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { MiniflareOptions } from 'miniflare';

export { Miniflare, type MiniflareOptions } from 'miniflare';

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
