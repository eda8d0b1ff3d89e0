import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type Authenticated,
  authenticateBody,
  authenticateHeader,
  checkOrigin,
  createSourceDirectory,
} from './auth.js';
import { parseCollectorConfig } from './config.js';
import { CollectorError } from './errors.js';
import { backend, blog, shop, testConfig } from './test-support.js';

const directory = createSourceDirectory(testConfig);

function request(authorization?: string) {
  const headers: Record<string, string> = authorization ? { Authorization: authorization } : {};
  return new Request('http://collector.test/v1/batch', { method: 'POST', headers });
}

const basic = (user: string, password = '') => `Basic ${btoa(`${user}:${password}`)}`;

async function refusal(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (error) {
    if (error instanceof CollectorError) return `${error.status} ${error.code}`;
    throw error;
  }
  return 'accepted';
}

describe('authenticateHeader', () => {
  it('finds nothing to check when there is no Authorization header', async () => {
    expect(await authenticateHeader(directory, request())).toBeUndefined();
  });

  it('takes Basic auth with the write key as user name (Segment SDKs)', async () => {
    const auth = await authenticateHeader(directory, request(basic(backend.key)));
    expect(auth).toMatchObject({ by: 'writeKey', presented: backend.key });
    expect(auth?.source.id).toBe('backend');
  });

  it('takes a secret key as Bearer token, or as Basic user name', async () => {
    for (const header of [`Bearer ${backend.secret}`, basic(backend.secret)]) {
      const auth = await authenticateHeader(directory, request(header));
      expect(auth?.by).toBe('secretKey');
      expect(auth?.source.id).toBe('backend');
    }
  });

  it('refuses unknown keys, stored hashes and other schemes with 401', async () => {
    const hash = testConfig.sources[2]!.secretKeys[0]!;
    for (const header of [
      basic('nope'),
      'Bearer nope',
      `Bearer ${hash}`,
      'Digest abc',
      'Basic !!!',
      basic(''),
    ]) {
      expect(await refusal(() => authenticateHeader(directory, request(header)))).toBe(
        '401 unauthorized',
      );
    }
  });
});

describe('authenticateBody', () => {
  const fromHeader: Authenticated = {
    source: testConfig.sources[2]!,
    by: 'secretKey',
    presented: backend.secret,
  };

  it('takes the write key from the body when no header named one', async () => {
    const auth = authenticateBody(directory, shop.key, undefined);
    expect(auth).toMatchObject({ by: 'writeKey', presented: shop.key });
    expect(auth.source.id).toBe('shop');
  });

  it('accepts a body key that names the same source as the header', () => {
    expect(authenticateBody(directory, backend.key, fromHeader)).toBe(fromHeader);
    // analytics-node repeats its key (here a secret key) in the body.
    expect(authenticateBody(directory, backend.secret, fromHeader)).toBe(fromHeader);
    expect(authenticateBody(directory, undefined, fromHeader)).toBe(fromHeader);
  });

  it('refuses a missing, unknown, conflicting or non-string key', async () => {
    expect(await refusal(() => authenticateBody(directory, undefined, undefined))).toBe(
      '401 unauthorized',
    );
    expect(await refusal(() => authenticateBody(directory, 'nope', undefined))).toBe(
      '401 unauthorized',
    );
    expect(await refusal(() => authenticateBody(directory, shop.key, fromHeader))).toBe(
      '401 unauthorized',
    );
    // A secret key in the body alone is not accepted: servers send it in a header.
    expect(await refusal(() => authenticateBody(directory, backend.secret, undefined))).toBe(
      '401 unauthorized',
    );
    expect(await refusal(() => authenticateBody(directory, 7, undefined))).toBe(
      '400 invalid_batch',
    );
  });
});

describe('checkOrigin', () => {
  const as = (key: string): Authenticated => authenticateBody(directory, key, undefined);

  it('lets requests without an Origin pass on the key alone (servers, apps)', async () => {
    expect(await refusal(() => checkOrigin(directory, as(blog.key), undefined))).toBe('accepted');
  });

  it("accepts the source's exact and wildcard origins and refuses others with 403", async () => {
    expect(await refusal(() => checkOrigin(directory, as(shop.key), shop.origin))).toBe('accepted');
    expect(
      await refusal(() => checkOrigin(directory, as(shop.key), 'https://eu.shop.example')),
    ).toBe('accepted');
    expect(await refusal(() => checkOrigin(directory, as(blog.key), shop.origin))).toBe(
      '403 origin_not_allowed',
    );
    expect(await refusal(() => checkOrigin(directory, as(shop.key), 'null'))).toBe(
      '403 origin_not_allowed',
    );
  });

  it('does not apply origins to a secret key (it is never in a page)', async () => {
    const auth = await authenticateHeader(directory, request(`Bearer ${backend.secret}`));
    expect(await refusal(() => checkOrigin(directory, auth!, 'https://evil.example'))).toBe(
      'accepted',
    );
  });
});

describe('a directory of 10,000 sources', () => {
  const count = 10_000;
  const config = parseCollectorConfig({
    sources: Array.from({ length: count }, (_, i) => ({
      id: `site-${i}`,
      writeKeys: [`wk_site_${i}`],
      secretKeys: [createHashedKey(`sk_site_${i}`)],
    })),
  });
  const many = createSourceDirectory(config);

  it('finds the source of any write key or secret key', async () => {
    for (const i of [0, 4_321, count - 1]) {
      const bySecret = await authenticateHeader(many, request(`Bearer sk_site_${i}`));
      expect(bySecret).toMatchObject({ by: 'secretKey', source: { id: `site-${i}` } });
      const byWrite = await authenticateHeader(many, request(basic(`wk_site_${i}`)));
      expect(byWrite).toMatchObject({ by: 'writeKey', source: { id: `site-${i}` } });
    }
  });

  it('answers 401 to unknown keys, a write key sent as Bearer, and oversized keys', async () => {
    for (const header of [
      'Bearer sk_site_unknown',
      'Bearer wk_site_3',
      `Bearer sk_${'x'.repeat(10_000)}`,
      basic('sk_site_nope'),
    ]) {
      expect(await refusal(() => authenticateHeader(many, request(header)))).toBe(
        '401 unauthorized',
      );
    }
  });
});

function createHashedKey(secret: string): string {
  return `sha256:${createHash('sha256').update(secret).digest('hex')}`;
}
