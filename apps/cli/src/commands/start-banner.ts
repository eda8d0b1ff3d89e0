// What `sluice start` prints once everything runs: where to look, what to paste, how to query.

import { scriptTagSnippet, type TagPaths, type TagScriptIdentity } from '@sluice/collector';
import { eventsFolderPattern, eventsGlob, type FileFormatName, FORMATS } from '@sluice/layout';

export interface BannerFacts {
  url: string;
  configFrom: string;
  writeKey: string | undefined;
  sourceId: string;
  /** The admin secret, or undefined when the config holds only its hash. */
  adminSecret: string | undefined;
  adminSecretFile: string | undefined;
  /** Print the secret itself: only on a terminal, never into container or journal logs. */
  showSecret: boolean;
  /** The store's directory, or undefined for a bucket. */
  storeDir: string | undefined;
  /** Where files go, for messages (`s3://bucket/` for a bucket). */
  storeWhere: string;
  queue: string;
  fileAgeMs: number;
  /** What the event files hold; default gzip NDJSON. */
  format?: FileFormatName;
  /** The served tag's hash and version (undefined when it is not built), and its paths. */
  tag?: { identity: TagScriptIdentity; paths: TagPaths };
  /** How the user runs the CLI here: `pnpm sluice` in the repository, else `sluice`. */
  cli: string;
}

/** The banner; paths are absolute so the lines work from any directory. */
export function startBanner(facts: BannerFacts): string {
  const { url } = facts;
  const kept = facts.adminSecretFile ? `  (kept in ${facts.adminSecretFile})` : '';
  const admin =
    facts.adminSecret === undefined
      ? 'log in with the admin secret whose hash is admin.secretHash in the config'
      : facts.showSecret
        ? `admin secret: ${facts.adminSecret}${kept}`
        : `admin secret: in ${facts.adminSecretFile} (readable by its owner only)`;
  const tag =
    facts.writeKey === undefined
      ? '(no source has a write key: add one with `sluice keys create`)'
      : `<script async src="${url}/s.js" data-key="${facts.writeKey}"></script>${
          facts.tag === undefined
            ? ''
            : `
               pinned: ${scriptTagSnippet({ base: url, writeKey: facts.writeKey, ...facts.tag })}
               on the site's own domain: ${facts.cli} tag --base https://your.site (docs/first-party.md)`
        }`;
  const root = facts.storeDir ?? facts.storeWhere.replace(/\/$/, '');
  const { extension } = FORMATS[facts.format ?? 'ndjson-gzip'];
  const glob = eventsGlob(root, extension);
  const reader = facts.format === 'parquet' ? 'read_parquet' : 'read_ndjson';
  const query =
    facts.storeDir === undefined
      ? `duckdb with httpfs: SELECT event, count(*) FROM ${reader}('${glob}', hive_partitioning = true) GROUP BY ALL`
      : `${facts.cli} query --store-dir ${facts.storeDir}
               or: duckdb -c "SELECT event, count(*) FROM ${reader}('${glob}', hive_partitioning = true) GROUP BY ALL"`;
  return `sluice is running  (config: ${facts.configFrom})

  demo page    ${url}/demo
  live view    ${url}/live
               ${admin}
  script tag   ${tag}
  files        ${root}/${eventsFolderPattern(facts.sourceId)}*${extension}
               written every ${facts.fileAgeMs / 1000} s (or 64 MiB), and at Ctrl+C
  query        ${query}
  queue        ${facts.queue}
  metrics      ${url}/metrics    API: ${url}/openapi.json

Press Ctrl+C to stop (pending events are written to files first).
`;
}
