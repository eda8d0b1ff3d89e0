// Runs this command again, in the same process, with node flags V8 only takes at start (see
// FORWARDER_NODE_FLAGS). execve keeps the pid, the terminal and the pipes, and nothing has
// started yet when it runs. A flag the user set (on the command line or in NODE_OPTIONS) is
// left as they set it. Where process.execve is missing (Windows, Node before 22.15 and
// 23.11), the command runs with node's defaults.

/** Set in the environment of the relaunched process, so it never relaunches again. */
const RELAUNCHED = 'SLUICE_NODE_FLAGS_SET';

const flagName = (flag: string) => flag.split('=')[0] as string;

/** Whether `flag` (its name: `--max-semi-space-size` for `--max-semi-space-size=16`) is set. */
function isSet(flag: string): boolean {
  const name = flagName(flag);
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return given.some((arg) => flagName(arg) === name);
}

/** Relaunches node with the flags of `flags` not set yet; returns only if there are none. */
export function relaunchWithNodeFlags(flags: readonly string[]): void {
  if (process.env[RELAUNCHED] || typeof process.execve !== 'function') return;
  const missing = flags.filter((flag) => !isSet(flag));
  if (missing.length === 0) return;
  process.execve(
    process.execPath,
    [process.execPath, ...missing, ...process.execArgv, ...process.argv.slice(1)],
    { ...process.env, [RELAUNCHED]: '1' },
  );
}
