// The tag as the collector serves it: its Subresource Integrity hash, the version in its
// immutable URL (both from its bytes, so a changed tag gets a new URL), and the snippet to
// paste. Web Crypto only: the same on Node and on Workers.
import type { TagPaths } from './config-paths.js';

/** The version in `s.<version>.js`: the first 12 hex digits of the tag's SHA-384. */
export const TAG_VERSION_PATTERN = '[0-9a-f]{12}';

export interface TagScriptIdentity {
  /** `sha384-<base64>`, for the `integrity` attribute. */
  integrity: string;
  /** 12 hex digits; changes whenever the bytes do. */
  version: string;
}

/** The integrity hash and version of the tag's bytes as served (UTF-8). */
export async function describeTagScript(script: string): Promise<TagScriptIdentity> {
  const digest = new Uint8Array(
    await crypto.subtle.digest('SHA-384', new TextEncoder().encode(script)),
  );
  let binary = '';
  for (const byte of digest) binary += String.fromCharCode(byte);
  const version = Array.from(digest.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join(
    '',
  );
  return { integrity: `sha384-${btoa(binary)}`, version };
}

/** The tag's two paths under the neutral prefix: short-cache and versioned (immutable). */
export function tagScriptPaths(paths: TagPaths, version: string) {
  const stem = paths.script.slice(0, -'.js'.length);
  return {
    current: `${paths.prefix}/${paths.script}`,
    versioned: `${paths.prefix}/${stem}.${version}.js`,
  };
}

/**
 * The `<script>` element for a page: the versioned URL under `base` (the collector's URL, or
 * the site's own origin behind a proxy) with its integrity hash. `crossorigin` makes the
 * browser check the hash on a script from another origin; on the same origin it changes nothing.
 */
export function scriptTagSnippet(options: {
  base: string;
  paths: TagPaths;
  identity: TagScriptIdentity;
  writeKey: string;
}): string {
  const { versioned } = tagScriptPaths(options.paths, options.identity.version);
  const src = `${options.base.replace(/\/+$/, '')}${versioned}`;
  return `<script async src="${src}" integrity="${options.identity.integrity}" crossorigin="anonymous" data-key="${options.writeKey}"></script>`;
}
