// `pnpm --filter @sluice/collector hash-secret [--admin] < secret`: prints the hash of a secret
// for the config file. The secret is read from stdin, never from the command line, where it
// would land in the shell history and in every `ps` listing.
//   - no stdin (a terminal): makes a new random secret key and prints it with its hash;
//   - a secret key on stdin: its `sha256:` hash, for "secretKeys" (checked on every request,
//     so a fast hash of a long random key, not a KDF);
//   - `--admin`, the admin secret you chose on stdin: its `scrypt:` hash, for admin.secretHash.
import {
  adminSecretProblem,
  hashAdminSecret,
  MIN_ADMIN_SECRET_LENGTH,
} from './admin-secret-hash.js';
import { generateSecretKey, hashSecretKey } from './secret-keys.js';

function fail(message: string): never {
  process.stderr.write(`hash-secret: ${message}\n`);
  process.exit(2);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // One trailing newline is how `echo` and editors end a line, not part of the secret.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

const args = process.argv.slice(2);
const admin = args.includes('--admin');
const unknown = args.filter((arg) => arg !== '--admin');
if (unknown.length > 0) {
  fail('give the secret on stdin, never as an argument (e.g. `hash-secret --admin < file`)');
}
if (process.stdin.isTTY && !admin) {
  const secret = generateSecretKey();
  console.log(`secret key (give it to the server; it is not stored): ${secret}`);
  console.log(
    `hash for "secretKeys" in the config:                 ${await hashSecretKey(secret)}`,
  );
} else {
  if (process.stdin.isTTY) process.stderr.write('admin secret (then Enter and Ctrl+D): ');
  const secret = await readStdin();
  const problem = admin
    ? adminSecretProblem(secret)
    : secret.length < MIN_ADMIN_SECRET_LENGTH
      ? `a secret key must have at least ${MIN_ADMIN_SECRET_LENGTH} characters; run hash-secret in a terminal to make one`
      : undefined;
  if (problem) fail(problem);
  console.log(admin ? await hashAdminSecret(secret) : await hashSecretKey(secret));
}
