// Which npm packages a piece of code makes Node load: the code runs as an ES module in a node
// child process of its own (under tsx, so it can import the workspace's TypeScript), with a
// resolve hook that records every bare specifier. A child, because the test runner's own
// loader has already loaded whatever the other tests imported.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

/**
 * Runs `code` (an ES module body; top-level await allowed) in a child node. Inside it,
 * `await loadedPackages()` gives the packages resolved so far, by name ("@aws-sdk/client-s3"
 * for "@aws-sdk/client-s3/dist"), sorted; whatever `code` prints last as JSON is returned.
 */
export async function runWatchingPackages(code: string): Promise<unknown> {
  const require = createRequire(import.meta.url);
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  const prelude = `
    import { registerHooks } from 'node:module';
    const resolved = new Set();
    registerHooks({
      resolve(specifier, context, next) {
        if (!/^[./]|:/.test(specifier)) {
          const parts = specifier.split('/');
          resolved.add(parts.slice(0, specifier.startsWith('@') ? 2 : 1).join('/'));
        }
        return next(specifier, context);
      },
    });
    globalThis.loadedPackages = () => [...resolved].sort();
  `;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', tsx, '--input-type=module', '-e', `${prelude}\n${code}`],
    { timeout: 60_000 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null');
}
