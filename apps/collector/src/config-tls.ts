// The zod schema of the tls section: HTTPS on the Node collector with these PEM files, the
// same as `--tls-cert`/`--tls-key` (which win when given). node-tls.ts reads them at start
// and again on SIGHUP; the Worker ignores the section (Cloudflare terminates TLS).
import { z } from 'zod';

const pemFile = (field: string, what: string) =>
  z
    .string({ message: `${field} must be the path of a PEM file` })
    .trim()
    .min(1, `${field} must be the path of a PEM file`)
    .describe(`${what} (PEM). A relative path is from the config file's folder.`);

export const tlsSchema = z
  .strictObject(
    {
      certFile: pemFile('certFile', 'The certificate, with its chain'),
      keyFile: pemFile('keyFile', 'The private key of certFile'),
    },
    { message: 'tls must be an object: { "certFile": "cert.pem", "keyFile": "key.pem" }' },
  )
  .optional()
  .describe(
    'HTTPS on the Node collector with these files, reloaded on SIGHUP (after a renewal) without dropping connections; `--tls-cert`/`--tls-key` win over it. Without it, plain HTTP (behind a proxy that terminates TLS). A changed section takes a restart.',
  );

export type TlsConfig = z.output<typeof tlsSchema>;
