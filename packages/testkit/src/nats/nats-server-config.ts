// The parts of a test nats-server's config file that make it demand credentials or TLS.

/** What a test server demands of its clients (all optional: by default, nothing). */
export interface NatsServerOptions {
  /** Clients must authenticate: the server's `authorization { ... }` block. */
  authorization?:
    | { user: string; password: string }
    | { token: string }
    /** Public user NKeys (`U...`) allowed in. */
    | { nkeys: readonly string[] };
  /**
   * Clients must speak TLS (the node's url is then `tls://`). With `caFile` and `verify` the
   * server also demands a client certificate signed by that CA.
   */
  tls?: { certFile: string; keyFile: string; caFile?: string; verify?: boolean };
  /** More top-level configuration, verbatim (e.g. operator mode with a memory resolver). */
  config?: string;
}

// Strings are written as JSON strings, which the server's config format reads as quoted strings.
export function authorizationBlock(auth: NatsServerOptions['authorization']): string {
  if (!auth) return '';
  if ('nkeys' in auth) {
    const users = auth.nkeys.map((nkey) => `{ nkey: ${JSON.stringify(nkey)} }`).join(', ');
    return `authorization { users: [${users}] }\n`;
  }
  if ('token' in auth) return `authorization { token: ${JSON.stringify(auth.token)} }\n`;
  return `authorization { user: ${JSON.stringify(auth.user)}, password: ${JSON.stringify(auth.password)} }\n`;
}

export function tlsBlock(tls: NatsServerOptions['tls']): string {
  if (!tls) return '';
  const lines = [
    `cert_file: ${JSON.stringify(tls.certFile)}`,
    `key_file: ${JSON.stringify(tls.keyFile)}`,
  ];
  if (tls.caFile) lines.push(`ca_file: ${JSON.stringify(tls.caFile)}`);
  if (tls.verify) lines.push('verify: true');
  return `tls { ${lines.join(', ')} }\n`;
}
