// Who the client is and how it talks to the servers: credentials and TLS, as given in the
// options or in the server URLs (`nats://user:password@host`, `nats://token@host`, `tls://`).

/**
 * How the client proves who it is. The files are read at each (re)connect, so a rotated
 * creds file is picked up without a restart.
 */
export type NatsAuth =
  | { user: string; password: string }
  | { token: string }
  /** A file holding a user NKey seed (`SU...`); the server lists the public key. */
  | { nkeySeedFile: string }
  /** A `.creds` file (user JWT and seed) of a server in operator mode. */
  | { credsFile: string };

/**
 * TLS with the server's certificate verified (against `caFile`, else the system's CAs), and a
 * client certificate when the server asks for one. Never falls back to plain TCP.
 */
export interface NatsTls {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

const USER_INFO = /^([a-z]+:\/\/)?([^@/]*)@(.+)$/i;

/**
 * Takes credentials out of the server URLs, so the URLs the client (and every log line) sees
 * carry none. All servers of one list are one cluster: they must carry the same credentials.
 */
export function takeUserInfo(
  servers: readonly string[],
  auth: NatsAuth | undefined,
): { servers: string[]; auth: NatsAuth | undefined } {
  let found: string | undefined;
  const bare = servers.map((server) => {
    const match = USER_INFO.exec(server);
    if (!match) return server;
    if (found !== undefined && found !== match[2]) {
      throw new RangeError('servers: give the same credentials for every server, or once');
    }
    found = match[2];
    return `${match[1] ?? ''}${match[3]}`;
  });
  if (found === undefined) return { servers: bare, auth: checkAuth(auth) };
  if (auth) throw new RangeError('servers: credentials in the URL and in auth: give them once');
  const colon = found.indexOf(':');
  const fromUrl: NatsAuth =
    colon === -1
      ? { token: decode(found) }
      : { user: decode(found.slice(0, colon)), password: decode(found.slice(colon + 1)) };
  return { servers: bare, auth: checkAuth(fromUrl) };
}

/** TLS is demanded by the option or by any `tls://` server; plain TCP is then never used. */
export function resolveTls(
  servers: readonly string[],
  tls: boolean | NatsTls | undefined,
): NatsTls | undefined {
  const tlsUrl = servers.find((server) => /^tls:\/\//i.test(server));
  if (tls === false && tlsUrl) {
    throw new RangeError(`tls: false, but ${tlsUrl} demands TLS`);
  }
  if (tls === false || (tls === undefined && !tlsUrl)) return undefined;
  const files = typeof tls === 'object' ? { ...tls } : {};
  if ((files.certFile === undefined) !== (files.keyFile === undefined)) {
    throw new RangeError('tls: a client certificate needs both certFile and keyFile');
  }
  return files;
}

function checkAuth(auth: NatsAuth | undefined): NatsAuth | undefined {
  if (!auth) return undefined;
  const kinds = ['user', 'token', 'nkeySeedFile', 'credsFile'].filter((key) => key in auth);
  if (kinds.length !== 1) {
    throw new RangeError(`auth: give one of user and password, token, nkeySeedFile or credsFile`);
  }
  if ('user' in auth && !('password' in auth)) throw new RangeError('auth: user needs a password');
  // Values only by name: a message must never carry a secret.
  for (const [key, value] of Object.entries(auth)) {
    if (typeof value !== 'string' || value === '') throw new RangeError(`auth: ${key} is empty`);
  }
  return auth;
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new RangeError('servers: the credentials in the URL are not valid percent-encoding');
  }
}
