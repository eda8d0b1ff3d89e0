// A throwaway CA, a server certificate for 127.0.0.1 and client certificates, made with the
// openssl command (Debian's openssl package), for TLS tests against a real broker or nats-server.

import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const OPENSSL_BIN = process.env.OPENSSL_BIN ?? 'openssl';
// EC keys: made in milliseconds, where RSA keys take long on a loaded machine.
const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export interface CertificateFiles {
  /** PEM file paths. */
  caFile: string;
  certFile: string;
  keyFile: string;
}

export interface TestCertificates {
  ca: string;
  server: CertificateFiles;
  /** Makes a client certificate whose subject CN is `commonName` (the broker's user name). */
  client(commonName: string): Promise<CertificateFiles & { cert: string; key: string }>;
}

/** Makes the CA and the server certificate in `dir`. */
export async function makeTestCertificates(dir: string): Promise<TestCertificates> {
  const caKey = join(dir, 'ca.key');
  const caFile = join(dir, 'ca.pem');
  await run(OPENSSL_BIN, [
    'req',
    '-x509',
    ...NEW_KEY,
    '-keyout',
    caKey,
    '-out',
    caFile,
    '-days',
    '2',
    '-subj',
    '/CN=sluice test CA',
  ]);
  let serial = 1;
  async function issue(name: string, commonName: string, extensions?: string) {
    const keyFile = join(dir, `${name}.key`);
    const request = join(dir, `${name}.csr`);
    const certFile = join(dir, `${name}.pem`);
    await run(OPENSSL_BIN, [
      'req',
      '-new',
      ...NEW_KEY,
      '-keyout',
      keyFile,
      '-out',
      request,
      '-subj',
      `/CN=${commonName}`,
    ]);
    const args = ['x509', '-req', '-in', request, '-CA', caFile, '-CAkey', caKey];
    args.push('-set_serial', String(serial++), '-days', '2', '-out', certFile);
    if (extensions) {
      const extFile = join(dir, `${name}.ext`);
      await writeFile(extFile, extensions);
      args.push('-extfile', extFile);
    }
    await run(OPENSSL_BIN, args);
    return { caFile, certFile, keyFile };
  }
  // localhost too: the NATS client checks a certificate only against host names, not IPs.
  const server = await issue('server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  return {
    ca: await readFile(caFile, 'utf8'),
    server,
    async client(commonName) {
      const files = await issue(`client-${commonName}`, commonName);
      return {
        ...files,
        cert: await readFile(files.certFile, 'utf8'),
        key: await readFile(files.keyFile, 'utf8'),
      };
    },
  };
}
