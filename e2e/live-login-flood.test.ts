import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashSecretKey } from '@sluice/collector';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type SluiceProcess,
  startSluiceProcess,
  writeCollectorConfig,
} from './reliability-process.js';

// Issue 15, finding 1, against the process `sluice start` runs (collector and forwarder in
// one): a huge login POST used to be buffered whole (300 MB: 170 MB -> 1.87 GB peak RSS).
// Now it is answered 413 while the client is still sending, and the peak RSS hardly moves.

const MB = 1024 * 1024;
// What the client offers at most; a server that reads it all answers only after 64 MB.
const OFFERED_BYTES = 64 * MB;
let dir: string;
let sluice: SluiceProcess;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-live-flood-'));
  const config = await writeCollectorConfig(dir, {
    limits: { ipRate: null },
    sources: [{ id: 'shop', writeKeys: ['wk_shop'], allowedOrigins: ['https://shop.example'] }],
    admin: { secretHash: await hashSecretKey('adm_flood-test-secret-0123456789abcdefghijk') },
  });
  sluice = await startSluiceProcess({
    QUEUE_URL: `log:${join(dir, 'queue')}`,
    SLUICE_CONFIG: config,
    RELIABILITY_STORE_DIR: join(dir, 'store'),
    RELIABILITY_STATE_DIR: join(dir, 'state'),
  });
});
afterAll(async () => {
  await sluice?.kill();
  await rm(dir, { recursive: true, force: true });
});

/** The child's peak resident set so far (VmHWM), in MB. */
async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]) / 1024;
}

/**
 * POSTs a login body of up to OFFERED_BYTES, 64 KB at a time, waiting for each write to
 * drain, and stops as soon as an answer arrives. Returns its status and the bytes written.
 */
function floodLogin(url: string, framing: 'content-length' | 'chunked') {
  const { hostname, port } = new URL(url);
  return new Promise<{ status: number; written: number }>((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const length =
      framing === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${OFFERED_BYTES + 7}`;
    let written = 0;
    let answer = '';
    socket.on('error', reject);
    socket.on('data', (data: Buffer) => {
      answer += data.toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1];
      if (status) {
        socket.destroy();
        resolve({ status: Number(status), written });
      }
    });
    socket.write(
      `POST /live/login HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/x-www-form-urlencoded\r\n${length}\r\n\r\n`,
    );
    const piece = Buffer.alloc(64 * 1024, 'a');
    const frame = (bytes: Buffer) =>
      framing === 'chunked'
        ? Buffer.concat([
            Buffer.from(`${bytes.length.toString(16)}\r\n`),
            bytes,
            Buffer.from('\r\n'),
          ])
        : bytes;
    const writeMore = () => {
      if (socket.destroyed) return;
      if (written >= OFFERED_BYTES) {
        if (framing === 'chunked') socket.write('0\r\n\r\n');
        return;
      }
      written += piece.length;
      socket.write(frame(piece), writeMore);
    };
    socket.write(frame(Buffer.from('secret=')), writeMore);
  });
}

it('answers 413 to a huge login body while it is still being sent, and its RSS stays flat', async () => {
  const pid = sluice.pid!;
  const before = await peakRssMb(pid);
  const declared = await floodLogin(sluice.url, 'content-length');
  const chunked = await floodLogin(sluice.url, 'chunked');
  const growth = (await peakRssMb(pid)) - before;
  console.log(
    `login flood: declared ${declared.status} after ${declared.written} bytes written, chunked ${chunked.status} after ${chunked.written}; peak RSS ${before.toFixed(0)} MB, +${growth.toFixed(1)} MB`,
  );
  expect([declared.status, chunked.status]).toEqual([413, 413]);
  // Loopback socket buffers take a few MB before the answer is seen; never the whole body.
  expect(declared.written).toBeLessThan(OFFERED_BYTES / 4);
  expect(chunked.written).toBeLessThan(OFFERED_BYTES / 4);
  expect(growth).toBeLessThan(OFFERED_BYTES / MB / 2);
}, 60_000);
