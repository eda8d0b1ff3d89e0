// Requests under the configured neutral paths (config `paths`) are routed as the collector's
// own paths: `<prefix>/<script>` as `/s.js`, `<prefix>/<name>.<version>.js` as
// `/s.<version>.js`, `<prefix>/v1/...` as `/v1/...`. Only the tag and the API: the proxy on the
// site's domain forwards the whole prefix, and /metrics or /live must not appear under it.
import type { TagPaths } from './config-paths.js';
import { TAG_VERSION_PATTERN } from './tag-script.js';

/** Maps a request path to the route that answers it (unchanged when it is no neutral path). */
export function neutralPathRewriter(paths: TagPaths): (path: string) => string {
  const { prefix, script } = paths;
  if (prefix === '' && script === 's.js') return (path) => path;
  const stem = script.slice(0, -'.js'.length);
  const inPrefix = `${prefix}/`;
  const versioned = new RegExp(`^${stem}\\.(${TAG_VERSION_PATTERN})\\.js$`);
  return (path) => {
    if (!path.startsWith(inPrefix)) return path;
    const rest = path.slice(inPrefix.length);
    if (rest === script) return '/s.js';
    const version = versioned.exec(rest)?.[1];
    if (version !== undefined) return `/s.${version}.js`;
    // The root API stays as it is when there is no prefix (only the script was renamed).
    if (prefix !== '' && rest.startsWith('v1/')) return `/${rest}`;
    return path;
  };
}
