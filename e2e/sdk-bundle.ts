// Bundles an npm browser SDK, unchanged, into one classic script for a test page (the vendors'
// CDN builds load more chunks from their CDNs, which tests cannot reach).
import { build } from 'esbuild';

/** A script that puts `exports` of `module` on `window[globalName]`. */
export async function bundleForBrowser(source: string, globalName: string): Promise<string> {
  const result = await build({
    stdin: { contents: source, resolveDir: import.meta.dirname, loader: 'js' },
    bundle: true,
    write: false,
    format: 'iife',
    globalName,
    platform: 'browser',
    target: 'es2020',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** `script` inline in a page: `</script` inside it must not end the element. */
export function pageWithScript(script: string, body = ''): string {
  return `<!doctype html><html><head><title>sdk</title><script>${script.replace(/<\/script/gi, '<\\/script')}</script></head><body>${body}</body></html>`;
}
