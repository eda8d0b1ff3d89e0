// Small HTTP clients of the reliability tests: fetch for well-formed requests, a raw socket
// for requests no client library would send.

import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

/** One request with fetch; the answer's body read as text. */
export async function request(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: Uint8Array | string } = {},
): Promise<Answer> {
  const response = await fetch(url, {
    method: init.method ?? 'POST',
    headers: init.headers,
    // Request bodies here never sit on a SharedArrayBuffer.
    body: init.body as BodyInit | undefined,
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** Whether an answer is the collector's error shape `{ error: { code, message } }`. */
export function isErrorBody(text: string): boolean {
  try {
    const { error } = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    return typeof error?.code === 'string' && typeof error.message === 'string';
  } catch {
    return false;
  }
}

export interface RawAnswer {
  /** The status of the first answer, if one came before the connection closed. */
  status?: number;
  /** Whether the server closed the connection (rather than our timeout ending it). */
  closedByServer: boolean;
}

/**
 * Writes `bytes` on a fresh TCP connection, half-closes it, and reads until the server
 * closes it or `timeoutMs` pass. The first status line is parsed, if any.
 */
export function rawRequest(url: string, bytes: Uint8Array, timeoutMs = 15_000): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port), allowHalfOpen: true });
    let received = '';
    let settled = false;
    const finish = (closedByServer: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(received)?.[1];
      resolve({ status: status === undefined ? undefined : Number(status), closedByServer });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.write(bytes, () => socket.end());
  });
}

/** A connection the test writes to at its own pace, e.g. one byte every few seconds. */
export interface SlowConnection {
  /** Writes bytes; false once the server closed the connection. */
  write(bytes: string | Uint8Array): Promise<boolean>;
  /** Settles when the server closes the connection: with the status it answered, if any. */
  closed: Promise<{ status?: number; atMs: number }>;
  /** Settles with the status of the server's first answer, when it comes. */
  answered: Promise<number>;
  /** Bytes written so far. */
  readonly written: number;
  destroy(): void;
}

/** Opens a TCP connection to the server of `url` for a test that writes slowly or too much. */
export function openSlowConnection(url: string): Promise<SlowConnection> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let received = '';
    let open = true;
    let written = 0;
    let answer: (status: number) => void = () => {};
    const answered = new Promise<number>((done) => {
      answer = done;
    });
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(received)?.[1];
      if (status !== undefined) answer(Number(status));
    });
    const closed = new Promise<{ status?: number; atMs: number }>((done) => {
      socket.once('close', () => {
        open = false;
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(received)?.[1];
        done({ status: status === undefined ? undefined : Number(status), atMs: Date.now() });
      });
    });
    socket.on('error', () => {});
    socket.once('connect', () =>
      resolve({
        closed,
        answered,
        get written() {
          return written;
        },
        write: (bytes) =>
          new Promise((done) => {
            if (!open) return done(false);
            socket.write(bytes, (error) => {
              if (!error)
                written += typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length;
              done(!error && open);
            });
          }),
        destroy: () => socket.destroy(),
      }),
    );
    socket.once('error', reject);
  });
}

const agents = new Map<string, Agent>();

/**
 * One request from a given local address (any of 127.0.0.0/8 on Linux), so a test can be
 * several clients as the collector sees them: the socket's address, not a forgeable header.
 */
export function requestFrom(
  localAddress: string,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  let agent = agents.get(localAddress);
  if (!agent) {
    agent = new Agent({ keepAlive: true, localAddress, maxSockets: 32 });
    agents.set(localAddress, agent);
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: init.method ?? 'POST', headers: init.headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('timed out')));
    req.end(init.body);
  });
}
