// BENCHMARKS.md is shared: each benchmark owns the text between its own markers
// (`<!-- name:begin -->` ... `<!-- name:end -->`) and rewrites only that.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_DIR } from './paths.js';

export const BENCHMARKS_FILE = join(REPO_DIR, 'BENCHMARKS.md');
const HEADER = '# sluice benchmarks\n';

/** Replaces the section `name` (or appends it) in BENCHMARKS.md, creating the file if missing. */
export async function writeSection(name: string, body: string): Promise<void> {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${begin}\n${body.trim()}\n${end}`;
  const current = await readFile(BENCHMARKS_FILE, 'utf8').catch(() => HEADER);
  const from = current.indexOf(begin);
  const to = current.indexOf(end, from);
  const next =
    from >= 0 && to >= 0
      ? current.slice(0, from) + block + current.slice(to + end.length)
      : `${current.trimEnd()}\n\n${block}\n`;
  await writeFile(BENCHMARKS_FILE, next);
}
