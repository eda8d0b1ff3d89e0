import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openStore, openTable } from './store-options.js';

describe('--table iceberg', () => {
  it('names data files by their file: URL in a directory store, the table in tables/events/', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-cli-table-'));
    try {
      const opened = openStore({ storeDir: dir });
      const table = openTable('iceberg', opened)!;
      const key = 'events/source=shop/dt=2026-11-24/hh=10/00000000000000000000.parquet';
      await opened.store.put(key, new Uint8Array(10));
      await table.append([{ key, recordCount: 1, sizeBytes: 10 }]);
      const metadata = JSON.parse(
        new TextDecoder().decode(await opened.store.get('tables/events/metadata/v1.metadata.json')),
      );
      expect(metadata.location).toBe(`${pathToFileURL(dir).href}/tables/events`);
      expect((await table.liveFiles()).map((file) => file.path)).toEqual([
        `${pathToFileURL(dir).href}/${key}`,
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names an S3 store by s3://<bucket>/<prefix>, and no table without the option', () => {
    const opened = openStore({ s3Bucket: 'lake', s3Prefix: 'tenant-a/' });
    expect(opened.location).toBe('s3://lake/tenant-a');
    expect(openStore({ s3Bucket: 'lake' }).location).toBe('s3://lake');
    expect(openTable(undefined, opened)).toBeUndefined();
  });
});
