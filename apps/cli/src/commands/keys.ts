// `sluice keys create`: new keys and the config lines that use them. The config keeps only
// hashes of secrets, so the secrets are printed once here and stored nowhere.
import { randomBytes } from 'node:crypto';
import { generateSecretKey, hashSecretKey } from '@sluice/collector';
import { type Command, Option } from 'commander';
import { generateAdminSecret } from '../lib/admin-secret.js';
import { collect } from '../lib/options.js';

interface KeysOptions {
  source: string;
  origin?: string[];
  admin?: boolean;
  json?: boolean;
}

/** A new write key: `wk_` and 22 base64url characters (public, but unguessable). */
export function generateWriteKey(): string {
  return `wk_${randomBytes(16).toString('base64url')}`;
}

export function addKeysCommand(program: Command): void {
  const keys = program.command('keys').description('make keys for sources and the live view');
  keys
    .command('create')
    .description('print a new write key and secret key, and the config lines that use them')
    .addOption(new Option('--source <id>', 'the source id for the config lines').default('my-site'))
    .addOption(
      new Option('--origin <origin>', 'a browser origin allowed to send (repeatable)').argParser(
        collect,
      ),
    )
    .addOption(new Option('--admin', 'make the admin secret of the live view instead'))
    .addOption(new Option('--json', 'print JSON instead of text'))
    .addHelpText(
      'after',
      `
Examples:
  sluice keys create --source shop --origin https://shop.example
  sluice keys create --admin`,
    )
    .action(async (options: KeysOptions) => {
      if (options.admin) {
        const secret = generateAdminSecret();
        const admin = { secretHash: await hashSecretKey(secret) };
        if (options.json) return print(JSON.stringify({ adminSecret: secret, admin }));
        return print(`admin secret  ${secret}
              opens the live view at /live; keep it like a password: it is stored nowhere

Put its hash in the config file (sluice.config.json):
  "admin": ${JSON.stringify(admin)}
or set it in the environment:
  SLUICE__admin__secretHash=${admin.secretHash}`);
      }
      const writeKey = generateWriteKey();
      const secretKey = generateSecretKey();
      const source = {
        id: options.source,
        writeKeys: [writeKey],
        secretKeys: [await hashSecretKey(secretKey)],
        allowedOrigins: options.origin ?? ['https://www.example.com'],
      };
      if (options.json) return print(JSON.stringify({ writeKey, secretKey, source }));
      const lines = `{\n${Object.entries(source)
        .map(([name, value]) => `    ${JSON.stringify(name)}: ${JSON.stringify(value)}`)
        .join(',\n')}\n  }`;
      print(`write key   ${writeKey}
            public: goes in the script tag (data-key) and in browser or app SDKs
secret key  ${secretKey}
            private: for your servers (Authorization: Bearer <key>); it is stored nowhere

Add this source to "sources" in the config file (sluice.config.json):
  ${lines}
${options.origin ? '' : 'and replace https://www.example.com with the origins of your site (--origin).\n'}Then check the file: sluice config check`);
    });
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}
