// `pnpm --filter @sluice/collector hash-secret [secret]`: prints the `sha256:` hash of a
// secret key for the config file. Without an argument it makes a new random key and prints
// both: give the key to the server that sends, put only the hash in the config.
import { generateSecretKey, hashSecretKey } from './secret-keys.js';

const given = process.argv[2];
const secret = given ?? generateSecretKey();
const hash = await hashSecretKey(secret);
if (given) {
  console.log(hash);
} else {
  console.log(`secret key (give it to the server; it is not stored): ${secret}`);
  console.log(`hash for "secretKeys" in the config:                 ${hash}`);
}
