import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * How the network between a phone and the collector behaves:
 * - `up`: bytes flow both ways.
 * - `down`: no connection gets through (reset at once); open ones are cut.
 * - `lose-responses`: requests reach the collector, its answers never reach the phone, which
 *   waits until its own timeout: the request was delivered, the app cannot know.
 */
export type NetworkMode = 'up' | 'down' | 'lose-responses';

export interface FlakyNetwork {
  /** `http://127.0.0.1:<port>`: where the app sends. */
  readonly url: string;
  readonly mode: NetworkMode;
  /** Switches the mode; connections opened under another mode are cut. */
  setMode(mode: NetworkMode): void;
  readonly stats: { connections: number; refused: number; responsesLost: number };
  close(): Promise<void>;
}

/** A TCP proxy on loopback in front of `target` (host:port) whose mode the test switches. */
export async function startFlakyNetwork(target: {
  host: string;
  port: number;
}): Promise<FlakyNetwork> {
  let mode: NetworkMode = 'up';
  const open = new Set<Socket>();
  const stats = { connections: 0, refused: 0, responsesLost: 0 };
  const server: Server = createServer((client) => {
    if (mode === 'down') {
      stats.refused++;
      client.resetAndDestroy();
      return;
    }
    stats.connections++;
    const upstream = createConnection(target);
    const pair = [client, upstream];
    const cut = () => {
      for (const socket of pair) {
        socket.destroy();
        open.delete(socket);
      }
    };
    for (const socket of pair) {
      open.add(socket);
      socket.on('error', cut);
      socket.on('close', cut);
    }
    client.pipe(upstream);
    if (mode === 'up') {
      upstream.pipe(client);
    } else {
      // One request per connection reaches this far: the app gives up on it and reconnects.
      upstream.once('data', () => {
        stats.responsesLost++;
      });
      upstream.resume();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    get mode() {
      return mode;
    },
    setMode(next) {
      mode = next;
      for (const socket of open) socket.destroy();
      open.clear();
    },
    stats,
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
