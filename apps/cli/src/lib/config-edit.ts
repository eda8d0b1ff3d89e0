// Edits the collector's config file for `sluice sources`: the change is made on the text (the
// file's layout and other fields stay as written), the result is checked as the collector
// would check it, and it replaces the file in one rename, so a running collector that watches
// the file never reads half of it.
import { randomBytes } from 'node:crypto';
import { readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { applyEdits, type JSONPath, modify } from 'jsonc-parser';
import { describeRefusal } from './config-reload.js';

/** A source as the file holds it (only the fields `sluice sources` reads or writes). */
export interface SourceEntry {
  id: string;
  writeKeys?: string[];
  secretKeys?: string[];
  allowedOrigins?: string[];
  [field: string]: unknown;
}

export interface ConfigText {
  file: string;
  /** undefined when the file does not exist yet. */
  text: string | undefined;
  sources: SourceEntry[];
}

export async function readConfigFile(file: string): Promise<ConfigText> {
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return { file, text: undefined, sources: [] };
  }
  let json: { sources?: unknown };
  try {
    json = JSON.parse(text) as { sources?: unknown };
  } catch (error) {
    throw new Error(
      `${file} is not valid JSON (${(error as Error).message}): run sluice config check ${file}`,
    );
  }
  const sources = Array.isArray(json?.sources) ? (json.sources as SourceEntry[]) : [];
  return { file, text, sources };
}

const FORMAT = { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } };

/** One change: set `path` to `value` (undefined removes it); `insert` adds to an array. */
export interface ConfigEdit {
  path: JSONPath;
  value: unknown;
  insert?: boolean;
}

/**
 * Applies the edits, refuses the result if the collector would (with the place and fix of
 * each mistake), and writes it: a temporary file beside it, then a rename over it.
 */
export async function writeConfigEdits(
  config: ConfigText,
  edits: readonly ConfigEdit[],
): Promise<void> {
  let text = config.text ?? '{\n  "sources": []\n}\n';
  for (const edit of edits) {
    text = applyEdits(
      text,
      modify(text, edit.path, edit.value, { ...FORMAT, isArrayInsertion: edit.insert ?? false }),
    );
  }
  const refusal = describeRefusal(config.file, text, {});
  if (refusal) throw new Error(`the file was not changed: the result would be refused: ${refusal}`);
  const mode = await stat(config.file).then(
    (s) => s.mode & 0o777,
    () => 0o600,
  );
  const temp = join(
    dirname(config.file),
    `.${basename(config.file)}.${randomBytes(6).toString('hex')}.tmp`,
  );
  try {
    await writeFile(temp, text, { mode, flag: 'wx' });
    await rename(temp, config.file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
