// The child side of protocol.ts: a server entry calls `runChild` with a function that starts
// its server from the JSON config in argv[2]. Exiting through process.exit lets `--cpu-prof`
// write its profile.

import type { ChildMessage, ChildValues, ParentMessage, ProcessValues } from '../protocol.js';

/** A started server as the child runtime drives it. */
export interface ChildServer {
  /** The base URL the load goes to ('' for servers without HTTP). */
  url: string;
  /** The server's own counters. */
  values(): ChildValues | Promise<ChildValues>;
  /** Stops the server, finishing what it holds (e.g. the forwarder uploads its buffers). */
  stop(): Promise<void>;
}

/** Resolves once the message is handed to the channel (so exiting after it loses nothing). */
function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) resolve();
    else process.send(message, undefined, undefined, () => resolve());
  });
}

/** Peak RSS and CPU time of this process. */
export function processValues(): ProcessValues {
  const usage = process.resourceUsage();
  return {
    maxRssBytes: usage.maxRSS * 1024,
    cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
  };
}

/** Starts the server and answers the harness until it says stop. */
export function runChild<Config>(start: (config: Config) => Promise<ChildServer>): void {
  if (!process.send) throw new Error('run this file through the bench harness (needs IPC)');
  const config = JSON.parse(process.argv[2] ?? '{}') as Config;
  const fail = (error: unknown): void => {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    send({ type: 'failed', message }).then(() => process.exit(1));
  };
  start(config).then((server) => {
    const collect = async (): Promise<ChildValues> => ({
      ...(await server.values()),
      ...processValues(),
    });
    process.on('message', (message: ParentMessage) => {
      if (message.type === 'values') {
        collect().then((values) => send({ type: 'values', values }), fail);
      } else if (message.type === 'stop') {
        server
          .stop()
          .then(collect)
          .then((values) => send({ type: 'stopped', values }))
          // process.exit (not a signal) is what lets --cpu-prof write its profile.
          .then(() => process.exit(0), fail);
      }
    });
    send({ type: 'ready', url: server.url });
  }, fail);
  // The harness going away (even killed) ends the child: no stray servers.
  process.on('disconnect', () => process.exit(0));
}
