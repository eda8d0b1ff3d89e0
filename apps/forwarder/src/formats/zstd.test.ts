// Files already in stores were written by the wasm build (@bokuweb/zstd-wasm) this module used
// before node:zlib had zstd: they must still read, and the new frames must read with that build
// (a reader still on an older sluice) and with DuckDB.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as wasm from '@bokuweb/zstd-wasm';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { ZSTD_LEVEL, zstdCompress, zstdDecompress } from './zstd.js';

const ndjson = new TextEncoder().encode(
  Array.from(
    { length: 500 },
    (_, n) => `${JSON.stringify({ messageId: `m${n}`, type: 'track', properties: { n } })}\n`,
  ).join(''),
);

beforeAll(() => wasm.init());

describe('zstd through node:zlib', () => {
  it('writes the same bytes as the wasm build at the same level', async () => {
    expect(Buffer.from(await zstdCompress(ndjson))).toEqual(
      Buffer.from(wasm.compress(ndjson, ZSTD_LEVEL)),
    );
  });

  it('reads files the wasm build wrote, and the wasm build reads its files', async () => {
    const text = new TextDecoder().decode(ndjson);
    expect(new TextDecoder().decode(await zstdDecompress(wasm.compress(ndjson, ZSTD_LEVEL)))).toBe(
      text,
    );
    expect(new TextDecoder().decode(wasm.decompress(await zstdCompress(ndjson)))).toBe(text);
  });

  it('writes frames DuckDB reads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-zstd-'));
    try {
      await writeFile(join(dir, 'a.ndjson.zst'), await zstdCompress(ndjson));
      const instance = await DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      const rows = (
        await connection.runAndReadAll(
          `SELECT count(*)::INTEGER AS n, sum(properties.n)::INTEGER AS total
           FROM read_ndjson('${dir}/a.ndjson.zst', compression = 'zstd')`,
        )
      ).getRowObjectsJson();
      connection.closeSync();
      instance.closeSync();
      expect(rows).toEqual([{ n: 500, total: (499 * 500) / 2 }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
