import { execFileSync } from 'node:child_process';
import { cpus, release, totalmem } from 'node:os';

/** The machine a run is measured on, as one Markdown list. */
export function describeMachine(startedAt: Date): string {
  const cores = cpus();
  let wrk = 'wrk';
  try {
    wrk = execFileSync('wrk', ['-v'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      .split('\n')[0]!
      .replace(/ Copyright.*$/, '');
  } catch (error) {
    // `wrk -v` prints its banner and exits 1.
    const out = (error as { stdout?: string }).stdout ?? '';
    wrk = out.split('\n')[0]?.replace(/ Copyright.*$/, '') || wrk;
  }
  return [
    `- date: ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    `- cores: ${cores.length} × ${cores[0]?.model.trim() ?? 'unknown CPU'}`,
    `- memory: ${Math.round(totalmem() / 2 ** 30)} GiB`,
    `- Node ${process.version}, Linux ${release()}, ${wrk}`,
  ].join('\n');
}
