// `sluice tag`: the script element to paste, for the collector's own URL or for the site's
// origin behind a reverse proxy (docs/first-party.md): the versioned URL under the config's
// neutral paths with its integrity hash, and the unversioned one.
import {
  describeTagScript,
  scriptTagSnippet,
  type TagScriptIdentity,
  tagScriptPaths,
} from '@sluice/collector';
import { type Command, Option } from 'commander';
import { loadConfig } from '../lib/lifecycle.js';
import { configOption } from '../lib/options.js';
import { readTagScript } from '../lib/tag-script.js';

interface TagOptions {
  config?: string;
  base: string;
  source?: string;
  json?: boolean;
}

export function addTagCommand(program: Command): void {
  program
    .command('tag')
    .description('print the <script> element for a page, with the integrity hash of the tag')
    .addOption(configOption())
    .addOption(
      new Option(
        '--base <url>',
        "where pages load the tag from: the collector's URL, or the site's origin behind a proxy",
      ).default('http://127.0.0.1:8080'),
    )
    .addOption(new Option('--source <id>', 'the source whose write key goes in data-key'))
    .addOption(new Option('--json', 'print JSON instead of text'))
    .addHelpText(
      'after',
      `
Examples:
  sluice tag --base https://shop.example --config sluice.config.json
  sluice tag --json`,
    )
    .action(async (options: TagOptions) => {
      const { config } = await loadConfig(options.config);
      const source = options.source
        ? config.sources.find((s) => s.id === options.source)
        : config.sources.find((s) => s.writeKeys.length > 0);
      const writeKey = source?.writeKeys[0];
      if (writeKey === undefined) {
        throw new Error(
          options.source
            ? `source "${options.source}" has no write key (or is not in the config)`
            : 'no source has a write key: add one with `sluice keys create`',
        );
      }
      const script = await readTagScript();
      if (script === undefined) {
        throw new Error('the tag is not built: run `pnpm --filter @sluice/tracker build`');
      }
      const identity = await describeTagScript(script);
      const base = options.base.replace(/\/+$/, '');
      const paths = tagScriptPaths(config.paths, identity.version);
      const pinned = scriptTagSnippet({ base, paths: config.paths, identity, writeKey });
      const current = `<script async src="${base}${paths.current}" data-key="${writeKey}"></script>`;
      if (options.json) {
        return print(JSON.stringify({ ...identity, url: `${base}${paths.versioned}`, pinned }));
      }
      print(describe(identity, pinned, current));
    });
}

function describe(identity: TagScriptIdentity, pinned: string, current: string): string {
  return `pinned (these bytes only, cached for a year; paste again after upgrading sluice):
  ${pinned}
following updates (cached for an hour, no integrity check):
  ${current}
integrity  ${identity.integrity}`;
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}
