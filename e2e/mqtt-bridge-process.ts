import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SLUICE_FROM_SOURCE } from './cli-process.js';
import { spawnEntry } from './entry-child.js';

export interface BridgeProcess {
  readonly pid: number;
  /** The JSON lines it printed (connections, refused appends, the stats it stopped with). */
  readonly lines: Record<string, unknown>[];
  /** Resolves with the first printed line `match` accepts. */
  waitForLine(
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** SIGKILL: whatever it received and did not acknowledge stays with the broker. */
  kill(): Promise<void>;
  /** SIGTERM: finishes the message in hand, disconnects, prints its stats. */
  stop(): Promise<void>;
}

/**
 * Writes `<dir>/bridge.json`: the test broker (user `bridge`, its password from the env) and
 * one route of `devices/{deviceId}/{event}` to source `fleet`; returns the file's path.
 */
export async function writeBridgeConfig(
  dir: string,
  brokerUrl: string,
  clientId: string,
  more: Record<string, unknown> = {},
): Promise<string> {
  const file = join(dir, 'bridge.json');
  const config = {
    broker: { url: brokerUrl, clientId, username: 'bridge' },
    routes: [{ topic: 'devices/{deviceId}/{event}', source: 'fleet' }],
    ...more,
  };
  await writeFile(file, JSON.stringify(config));
  return file;
}

/** Starts `sluice mqtt-bridge [args]` with `env` and waits until it is subscribed. */
export async function startBridgeProcess(
  env: Record<string, string>,
  args: readonly string[] = [],
): Promise<BridgeProcess> {
  const { child, exited, stderr, kill, stop } = spawnEntry(SLUICE_FROM_SOURCE, env, [
    'mqtt-bridge',
    ...args,
  ]);
  const lines: Record<string, unknown>[] = [];
  const waiters = new Set<{
    match: (line: Record<string, unknown>) => boolean;
    resolve: (line: Record<string, unknown>) => void;
  }>();
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    lines.push(line);
    for (const waiter of waiters) {
      if (waiter.match(line)) {
        waiters.delete(waiter);
        waiter.resolve(line);
      }
    }
  });
  const waitForLine = (match: (line: Record<string, unknown>) => boolean, timeoutMs = 45_000) => {
    const seen = lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const waiter = {
        match,
        resolve(line: Record<string, unknown>) {
          clearTimeout(timer);
          resolve(line);
        },
      };
      waiters.add(waiter);
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`the bridge printed no such line in ${timeoutMs} ms:\n${stderr()}`));
      }, timeoutMs);
      void exited.then(() => {
        clearTimeout(timer);
        if (waiters.delete(waiter)) reject(new Error(`the bridge exited:\n${stderr()}`));
      });
    });
  };
  await waitForLine((line) => line.ready === true);
  return { pid: child.pid!, lines, waitForLine, kill, stop };
}
