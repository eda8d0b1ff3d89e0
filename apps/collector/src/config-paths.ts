// Where the collector also serves the tag and the API: neutral paths for a reverse proxy on the
// site's own domain (docs/first-party.md), e.g. the tag at /a/x.js and the API under /a/v1/.
import { z } from 'zod';

/** The tag's own name and place when nothing is configured: `/s.js`, the API at `/v1/...`. */
export const DEFAULT_TAG_PATHS = { prefix: '', script: 's.js' } as const;

export const pathsSchema = z
  .strictObject({
    prefix: z
      .string({ message: 'prefix must be a path like "/a"' })
      .regex(
        /^(\/[A-Za-z0-9_-]+)*$/,
        'prefix must be "" or a path like "/a" or "/assets/p": segments of letters, digits, _ and -, no trailing /',
      )
      .default(DEFAULT_TAG_PATHS.prefix)
      .describe(
        'Path under which the tag (`<prefix>/<script>`) and the API (`<prefix>/v1/...`) are served too, for a reverse proxy on the site\'s own domain; the tag sends to its own folder. `""`: only the root paths.',
      ),
    script: z
      .string({ message: 'script must be a file name like "x.js"' })
      .regex(
        /^[A-Za-z0-9_-]+\.js$/,
        'script must be a file name ending in .js, like "x.js": letters, digits, _ and - before it',
      )
      .default(DEFAULT_TAG_PATHS.script)
      .describe(
        'File name of the tag under the prefix (an hour of cache); `<name>.<version>.js` is the same bytes, immutable for a year (`sluice tag` prints it with its integrity hash).',
      ),
  })
  // At the root, the demo page's own script would be shadowed by the tag.
  .refine((paths) => paths.prefix !== '' || paths.script !== 'demo.js', {
    message:
      'script "demo.js" at the root would hide the demo page\'s script: pick another name or a prefix',
    path: ['script'],
  })
  .default({ ...DEFAULT_TAG_PATHS })
  .describe(
    'Neutral paths for first-party deployment (docs/first-party.md). `/s.js` and `/v1/...` stay served as well.',
  );

/** Where the tag and the API are served under the configured prefix. */
export type TagPaths = z.output<typeof pathsSchema>;
