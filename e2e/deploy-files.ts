// Reading the deploy/ definitions the way their tools would, for the tests that check what can
// be checked without a Docker engine or a running systemd.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from './cli-process.js';

export const DEPLOY_DIR = join(REPO_ROOT, 'deploy');

export interface DockerInstruction {
  /** The stage it belongs to: its `AS` name, or its index for an unnamed one. */
  stage: string;
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions, continuation lines joined and comments left out. */
export async function readDockerfile(): Promise<DockerInstruction[]> {
  const text = await readFile(join(DEPLOY_DIR, 'Dockerfile'), 'utf8');
  const logical = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '');
  const instructions: DockerInstruction[] = [];
  let stage = '';
  let stages = 0;
  for (const line of logical) {
    const [, keyword = '', args = ''] = /^\s*(\S+)\s*(.*)$/.exec(line) ?? [];
    if (keyword.toUpperCase() === 'FROM') {
      stage = /\sAS\s+(\S+)/i.exec(args)?.[1] ?? String(stages);
      stages++;
    }
    instructions.push({ stage, keyword: keyword.toUpperCase(), args: args.replace(/\s+/g, ' ') });
  }
  return instructions;
}

/** The exec form (`["a", "b"]`) of an instruction's arguments, after its `--flags`. */
export function execForm(args: string): string[] {
  return JSON.parse(args.slice(args.indexOf('[')));
}

/** The final stage's instructions: what the image runs with. */
export function finalStage(instructions: DockerInstruction[]): DockerInstruction[] {
  const last = instructions.at(-1)?.stage;
  return instructions.filter((i) => i.stage === last);
}
