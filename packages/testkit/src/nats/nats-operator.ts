// A throwaway NATS operator setup (operator mode, the accounts preloaded in a memory resolver)
// and a user's creds file, for tests of creds authentication; made with @nats-io/jwt because
// the nsc tool is not available here.

import {
  createAccount,
  createOperator,
  createUser,
  encodeAccount,
  encodeOperator,
  encodeUser,
  fmtCreds,
} from '@nats-io/jwt';

export interface NatsOperatorSetup {
  /** Top-level server configuration: `startNatsServer({ config })`. */
  config: string;
  /** The text of a valid `.creds` file of a user of the JetStream-enabled account. */
  creds: string;
  /** A creds file of a user signed by an account the server does not know. */
  foreignCreds: string;
}

export async function makeNatsOperator(): Promise<NatsOperatorSetup> {
  const operator = createOperator();
  const system = createAccount();
  const account = createAccount();
  const signer = { signer: operator };
  const operatorJwt = await encodeOperator('sluice-test', operator, {
    system_account: system.getPublicKey(),
  });
  const systemJwt = await encodeAccount('SYS', system, {}, signer);
  // Unset limits are 0 in a JWT: no connections, no JetStream. -1 is unlimited.
  const unlimited = { conn: -1, subs: -1, data: -1, payload: -1, imports: -1, exports: -1 };
  const jetStream = { mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1 };
  const accountJwt = await encodeAccount(
    'SLUICE',
    account,
    { limits: { ...unlimited, leaf: -1, wildcards: true, ...jetStream } },
    signer,
  );
  const user = createUser();
  const userJwt = await encodeUser('collector', user, account);
  const stranger = createUser();
  const strangerJwt = await encodeUser('stranger', stranger, createAccount());
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return {
    config: `operator: ${operatorJwt}
system_account: ${system.getPublicKey()}
resolver: MEMORY
resolver_preload: {
  ${system.getPublicKey()}: ${systemJwt}
  ${account.getPublicKey()}: ${accountJwt}
}
`,
    creds: decode(fmtCreds(userJwt, user)),
    foreignCreds: decode(fmtCreds(strangerJwt, stranger)),
  };
}
