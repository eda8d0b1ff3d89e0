// Serves the collector app with the runtime's own HTTP server, under Bun (`bun run`) or Deno
// (`deno run --sloppy-imports`), for `runtimes.test.ts` to drive over HTTP. Prints one JSON
// line `{ runtime, url }` once listening; exits when its stdin closes (the test is gone).
// `GET /__test/queue` shows what the app appended to its (in-memory) queue.
import process from 'node:process';
import { createCollectorApp } from '@sluice/collector/web';
import { createMemoryQueue } from '@sluice/queue';

type Handler = (request: Request) => Response | Promise<Response>;
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

const queue = createMemoryQueue();
const app = createCollectorApp({
  queue,
  config: RUNTIME_TEST_CONFIG as never,
  tagScript: '/*tag*/',
});
const reader = await queue.consumer('runtime-test');
const appended: unknown[] = [];
const decoder = new TextDecoder();

const handler: Handler = async (request) => {
  if (new URL(request.url).pathname !== '/__test/queue') return app.fetch(request);
  for (const entry of await reader.read(10_000, 0)) {
    appended.push({ ...entry, body: JSON.parse(decoder.decode(entry.body)) });
  }
  return Response.json(appended);
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
