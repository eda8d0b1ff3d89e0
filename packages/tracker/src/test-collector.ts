// Test helper (not part of the build): a real HTTP server on 127.0.0.1 that records what
// the tag sends, so tests see bodies and headers as a collector would.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceivedRequest = { method: string; path: string; contentType: string; body: string };

export type TestCollector = {
  endpoint: string;
  requests: ReceivedRequest[];
  /** Parsed bodies of the POSTs received so far. */
  bodies(): { writeKey: string; sentAt: string; batch: Record<string, unknown>[] }[];
  /** Waits until `count` POSTs arrived (fails after `ms`). */
  waitForPosts(count: number, ms?: number): Promise<void>;
  close(): Promise<void>;
};

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/** Starts a recording collector on a random free port. */
export async function startTestCollector(): Promise<TestCollector> {
  const requests: ReceivedRequest[] = [];
  const server = createServer(async (request, response) => {
    requests.push({
      method: request.method ?? '',
      path: request.url ?? '',
      contentType: request.headers['content-type'] ?? '',
      body: await readBody(request),
    });
    response.writeHead(200, {
      'access-control-allow-origin': '*',
      'access-control-allow-headers': '*',
      'content-type': 'application/json',
    });
    response.end('{"ok":true}');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  const posts = () => requests.filter((r) => r.method === 'POST');
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    bodies: () => posts().map((r) => JSON.parse(r.body)),
    async waitForPosts(count, ms = 2000) {
      const deadline = Date.now() + ms;
      while (posts().length < count) {
        if (Date.now() > deadline) throw new Error(`got ${posts().length} of ${count} posts`);
        await new Promise((done) => setTimeout(done, 5));
      }
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
