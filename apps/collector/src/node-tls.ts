// HTTPS for the Node collector: the certificate and key are files, read at start and again on
// SIGHUP (after a renewal, e.g. certbot's deploy hook). `setSecureContext` swaps what new
// connections get; connections already open keep theirs, so a reload drops nothing.
import { readFile } from 'node:fs/promises';
import type { Server as TlsServer } from 'node:tls';
import type { CollectorLogger } from './observe.js';

/** PEM files of the server's certificate (chain) and private key. */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

/** Reads the certificate and key; throws naming the file that cannot be read. */
export async function readTlsFiles(files: TlsFiles): Promise<{ cert: Buffer; key: Buffer }> {
  const read = (path: string, what: string) =>
    readFile(path).catch((error: Error) => {
      throw new Error(`cannot read the TLS ${what} ${path}: ${error.message}`);
    });
  const [cert, key] = await Promise.all([
    read(files.certFile, 'certificate'),
    read(files.keyFile, 'key'),
  ]);
  return { cert, key };
}

/**
 * Reloads the certificate and key into `server` on each SIGHUP. A bad pair (unreadable, or a
 * key that does not fit) is logged and the old one kept. Returns the function that stops it.
 */
export function reloadTlsOnHangup(
  server: TlsServer,
  files: TlsFiles,
  logger: CollectorLogger | undefined,
): () => void {
  const reload = async () => {
    try {
      server.setSecureContext(await readTlsFiles(files));
      logger?.info({ certFile: files.certFile }, 'tls certificate reloaded');
    } catch (error) {
      logger?.error(
        { err: error, certFile: files.certFile },
        'tls reload failed, old certificate kept',
      );
    }
  };
  const onHangup = () => void reload();
  process.on('SIGHUP', onHangup);
  return () => process.off('SIGHUP', onHangup);
}
