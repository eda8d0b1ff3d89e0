// Test helper (not part of the build): a real HTTP server on 127.0.0.1 that records what
// the tag sends, so tests see bodies and headers as a collector would, and answers as told.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceivedRequest = { method: string; path: string; contentType: string; body: string };

/** How to answer one POST: status, extra headers, and a delay before answering (ms). */
export type Answer = { status: number; headers?: Record<string, string>; delay?: number };

export type TestCollector = {
  endpoint: string;
  requests: ReceivedRequest[];
  /** Answers for the next POSTs, in order; when empty, 200. */
  answers: Answer[];
  /** Most POSTs that were being answered at the same time. */
  maxInFlight(): number;
  /** Parsed bodies of the POSTs received so far. */
  bodies(): { writeKey: string; sentAt: string; batch: Record<string, unknown>[] }[];
  /** Events of the POSTs answered 2xx so far, in order. */
  accepted(): Record<string, unknown>[];
  /** Waits until `count` POSTs arrived (fails after `ms`). */
  waitForPosts(count: number, ms?: number): Promise<void>;
  /** Waits until `test()` holds, checking every few ms (fails after `ms`). */
  waitFor(test: () => boolean, ms?: number): Promise<void>;
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
  const answers: Answer[] = [];
  const acceptedBodies: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer(async (request, response) => {
    const post = request.method === 'POST';
    if (post) maxInFlight = Math.max(maxInFlight, ++inFlight);
    const received = {
      method: request.method ?? '',
      path: request.url ?? '',
      contentType: request.headers['content-type'] ?? '',
      body: await readBody(request),
    };
    requests.push(received);
    const answer = (post && answers.shift()) || { status: 200 };
    if (answer.delay) await new Promise((done) => setTimeout(done, answer.delay));
    if (post) inFlight--;
    if (post && answer.status < 300) acceptedBodies.push(received.body);
    response.writeHead(answer.status, {
      'access-control-allow-origin': '*',
      'access-control-allow-headers': '*',
      'access-control-expose-headers': 'retry-after',
      'content-type': 'application/json',
      ...answer.headers,
    });
    response.end('{}');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  const posts = () => requests.filter((r) => r.method === 'POST');
  const waitFor = async (test: () => boolean, ms = 5000) => {
    const deadline = Date.now() + ms;
    while (!test()) {
      if (Date.now() > deadline) throw new Error(`still waiting after ${ms} ms`);
      await new Promise((done) => setTimeout(done, 5));
    }
  };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    answers,
    maxInFlight: () => maxInFlight,
    bodies: () => posts().map((r) => JSON.parse(r.body)),
    accepted: () => acceptedBodies.flatMap((body) => JSON.parse(body).batch),
    waitForPosts: (count, ms) => waitFor(() => posts().length >= count, ms),
    waitFor,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
