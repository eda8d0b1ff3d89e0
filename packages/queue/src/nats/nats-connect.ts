// Opens the client connection with the credentials and TLS the options ask for, and turns the
// client's failures into messages that say what to fix (never with a secret in them).

import { readFileSync } from 'node:fs';
import {
  type Authenticator,
  connect,
  credsAuthenticator,
  errors,
  type NatsConnection,
  nkeyAuthenticator,
  tokenAuthenticator,
  usernamePasswordAuthenticator,
} from '@nats-io/transport-node';
import type { NatsAuth } from './nats-auth-options.js';
import type { ResolvedNatsQueueOptions } from './nats-options.js';

/** Connects, or rejects with an Error that names the problem (credentials, TLS, reachability). */
export async function connectToNats(options: ResolvedNatsQueueOptions): Promise<NatsConnection> {
  const { servers, auth, tls } = options;
  try {
    return await connect({
      servers,
      name: options.name,
      ...(auth && { authenticator: authenticatorFor(auth) }),
      // An object makes the client refuse a server without TLS; the client's default
      // (undefined) lets a tls:// URL talk plain TCP to a server that offers no TLS.
      ...(tls && { tls: { ...tls } }),
      // Keep trying through a restart of the servers; appends fail after publishTimeoutMs meanwhile.
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
    });
  } catch (error) {
    throw new Error(`NATS at ${servers.join(',')}: ${explain(error, options)}`, { cause: error });
  }
}

function authenticatorFor(auth: NatsAuth): Authenticator {
  if ('user' in auth) return usernamePasswordAuthenticator(auth.user, auth.password);
  if ('token' in auth) return tokenAuthenticator(auth.token);
  // Read now, so a missing file fails at once, and again at each reconnect (rotated files).
  if ('nkeySeedFile' in auth) {
    const read = readFileNow(auth.nkeySeedFile, 'nkeySeedFile');
    return nkeyAuthenticator(() => new TextEncoder().encode(read().trim()));
  }
  const read = readFileNow(auth.credsFile, 'credsFile');
  return credsAuthenticator(() => new TextEncoder().encode(read()));
}

function readFileNow(path: string, option: string): () => string {
  const read = () => {
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`${option} ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
  };
  let last = read();
  return () => {
    // A file being replaced may be missing for a moment: keep the one read before.
    try {
      last = read();
    } catch {}
    return last;
  };
}

function explain(error: unknown, options: ResolvedNatsQueueOptions): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | undefined)?.code;
  if (error instanceof errors.AuthorizationError) {
    return options.auth
      ? `the server refused the credentials (${message})`
      : `the server demands credentials (${message}): give them in the queue URL (nats://user:password@host, nats://token@host, credsFile= or nkeySeedFile=)`;
  }
  if (options.tls && /does not support 'tls'/.test(message)) {
    return 'TLS was demanded (tls:// or TLS files) but the server offers none; not connecting in plain text';
  }
  if (typeof code === 'string' && /CERT|UNABLE_TO|SELF_SIGNED|DEPTH|ALTNAME/.test(code)) {
    const hint = /ALTNAME/.test(code)
      ? 'name the server by a host name its certificate holds (the client checks an IP address as "localhost")'
      : "give the CA that signed the server's certificate (tlsCaFile=)";
    return `the server's TLS certificate did not verify (${code}: ${message}): ${hint}`;
  }
  if (error instanceof errors.TimeoutError && options.tls) {
    // A server that verifies clients ends the handshake of one without a certificate, and
    // the client then only sees a timeout.
    return `${message}: no server completed the connection (unreachable, or it demands a client certificate: tlsCertFile= and tlsKeyFile=)`;
  }
  return message;
}
