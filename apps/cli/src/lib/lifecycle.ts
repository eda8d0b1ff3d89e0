// Process plumbing of the long-running commands: config loading with the CLI's flag, and a
// clean stop on Ctrl+C or SIGTERM (files written, queue closed) before the process exits.
import { createNodeLogger, type LoadedConfig, loadCollectorConfig } from '@sluice/collector';

/** The collector config: `--config` (or SLUICE_CONFIG), else ./sluice.config.json, else the demo. */
export async function loadConfig(configFile: string | undefined): Promise<LoadedConfig> {
  const env = { ...process.env };
  if (configFile !== undefined) env.SLUICE_CONFIG = configFile;
  try {
    return await loadCollectorConfig({ env });
  } catch (error) {
    throw new Error(
      `${(error as Error).message}\nRun \`sluice config check\` to see where each problem is and how to fix it.`,
    );
  }
}

/** pino at `level`, or no logger for `silent`; `service` names the process in each line. */
export function loggerAt(level: string, service?: string) {
  return level === 'silent' ? false : createNodeLogger({ level, service });
}

/**
 * Logs a failed forwarder call (retried) as a pino warning: the call's name and the error's
 * message, never the object key or the request (which could carry credentials).
 */
export function logForwarderErrors(logger: ReturnType<typeof loggerAt>) {
  return (error: unknown, during: string): void => {
    if (!logger) return;
    const message = error instanceof Error ? error.message : String(error);
    const call = during.startsWith('upload ') ? 'upload' : during;
    logger.warn(
      { service: 'sluice-forwarder', call, error: message },
      'forwarder call failed, retrying',
    );
  };
}

/**
 * A repeat of the first signal within this time is the same Ctrl+C delivered twice, not a
 * second press: the terminal signals the whole process group, and pnpm passes it on as well.
 */
export const REPEAT_SIGNAL_GRACE_MS = 1_500;

/**
 * Runs `stop` once on the first SIGINT or SIGTERM, then exits. A second Ctrl+C, pressed
 * later than REPEAT_SIGNAL_GRACE_MS, exits at once without writing what is pending.
 */
export function stopOnSignal(stop: () => Promise<void>): void {
  let firstAt: number | undefined;
  const handle = async () => {
    if (firstAt !== undefined) {
      if (Date.now() - firstAt < REPEAT_SIGNAL_GRACE_MS) return;
      process.exit(130);
    }
    firstAt = Date.now();
    try {
      await stop();
      process.exit(0);
    } catch (error) {
      process.stderr.write(`sluice: stopping failed: ${String(error)}\n`);
      process.exit(1);
    }
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
}

/**
 * Exits with 1 once `done` rejects (forwarding ended on an error no retry fixes), after
 * `cleanup`: a process that only looks alive would leave the queue growing, unforwarded.
 */
export function exitWhenFailed(done: Promise<void>, cleanup: () => Promise<void>): void {
  done.catch(async (error: unknown) => {
    process.stderr.write(
      `sluice: forwarding stopped: ${error instanceof Error ? error.message : String(error)}; exiting (a restart resumes it)\n`,
    );
    await cleanup().catch(() => undefined);
    process.exit(1);
  });
}
