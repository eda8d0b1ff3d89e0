// Serves the collector app with the runtime's own HTTP server, under Bun (`bun run`) or Deno
// (`deno run --sloppy-imports`), for `runtimes.test.ts` to drive over HTTP. Prints one JSON
// line `{ runtime, url }` once listening; exits when its stdin closes (the test is gone).
// `GET /__test/queue` shows what the app appended to its (in-memory) queue. Requests with
// `X-Test-App: limited` go to a second app with a per-IP limit (`?app=limited` for its queue).
import process from 'node:process';
import { createCollectorApp } from '@sluice/collector/web';
import { createMemoryQueue } from '@sluice/queue';
import type { Context } from 'hono';

// The second argument is the runtime's connection info (Bun's server, Deno's handler info).
type Handler = (request: Request, info: unknown) => Response | Promise<Response>;
interface BunLike {
  version: string;
  serve(options: { hostname: string; port: number; fetch: Handler }): { port: number };
}
interface DenoLike {
  version: { deno: string };
  serve(
    options: { hostname: string; port: number; onListen(address: { port: number }): void },
    handler: Handler,
  ): unknown;
}
const { Bun, Deno } = globalThis as { Bun?: BunLike; Deno?: DenoLike };

/** The sources the test sends as; kept in step with runtimes.test.ts. */
export const RUNTIME_TEST_CONFIG = {
  sources: [
    { id: 'shop', writeKeys: ['wk_shop'], allowedOrigins: ['https://shop.example'] },
    { id: 'backend', writeKeys: ['wk_backend'] },
  ],
};

// The client address as hono's adapter for the runtime reads it from the connection info,
// which reaches the app as `c.env`: what a Bun or Deno entry point passes as `clientIp`.
const { getConnInfo } = Bun ? await import('hono/bun') : await import('hono/deno');
const clientIp = (c: Context) => getConnInfo(c).remote.address;

function collectorWith(config: object) {
  const queue = createMemoryQueue();
  const app = createCollectorApp({
    queue,
    config: config as never,
    tagScript: '/*tag*/',
    clientIp,
  });
  return { app, reader: queue.consumer('runtime-test'), appended: [] as unknown[] };
}
const apps = {
  default: collectorWith(RUNTIME_TEST_CONFIG),
  limited: collectorWith({
    ...RUNTIME_TEST_CONFIG,
    limits: { ipRate: { requestsPerSecond: 0.01, burst: 2 } },
  }),
};
const decoder = new TextDecoder();

async function appended(collector: ReturnType<typeof collectorWith>): Promise<unknown[]> {
  for (const entry of await (await collector.reader).read(10_000, 0)) {
    collector.appended.push({ ...entry, body: JSON.parse(decoder.decode(entry.body)) });
  }
  return collector.appended;
}

const handler: Handler = async (request, info) => {
  const url = new URL(request.url);
  if (url.pathname === '/__test/queue') {
    return Response.json(
      await appended(url.searchParams.get('app') === 'limited' ? apps.limited : apps.default),
    );
  }
  const { app } = request.headers.get('x-test-app') === 'limited' ? apps.limited : apps.default;
  return app.fetch(request, info);
};

function ready(runtime: string, port: number): void {
  process.stdout.write(`${JSON.stringify({ runtime, url: `http://127.0.0.1:${port}` })}\n`);
}

if (Bun) {
  const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: handler });
  ready(`bun ${Bun.version}`, server.port);
} else if (Deno) {
  const runtime = `deno ${Deno.version.deno}`;
  Deno.serve(
    { hostname: '127.0.0.1', port: 0, onListen: ({ port }) => ready(runtime, port) },
    handler,
  );
} else {
  throw new Error('run this under Bun or Deno');
}

process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
