import { beforeEach, describe, expect, it } from 'vitest';
import type { DedupIndex } from './dedup-index.js';

/** What every DedupIndex must do; `open` returns an empty index. */
export function describeDedupIndexContract(name: string, open: () => Promise<DedupIndex>): void {
  describe(`${name}: DedupIndex contract`, () => {
    let index: DedupIndex;
    beforeEach(async () => {
      index = await open();
      return () => index.close();
    });

    it('answers the position an id was recorded at, per slot', async () => {
      await index.record(5, [
        { id: 'a', position: 10 },
        { id: 'b', position: 11 },
      ]);
      await index.record(6, [{ id: 'c', position: 12 }]);
      expect(await index.get(5, 'a')).toBe(10);
      expect(await index.get(5, 'b')).toBe(11);
      expect(await index.get(5, 'c')).toBeUndefined();
      expect(await index.get(6, 'c')).toBe(12);
      expect((await index.slots()).sort()).toEqual([5, 6]);
      expect([...(await collect(index.ids(5)))].sort()).toEqual(['a', 'b']);
    });

    it('forgets a dropped slot and only it', async () => {
      await index.record(1, [{ id: 'old', position: 1 }]);
      await index.record(2, [{ id: 'new', position: 2 }]);
      await index.drop(1);
      expect(await index.slots()).toEqual([2]);
      expect(await index.get(2, 'new')).toBe(2);
    });
  });
}

async function collect(ids: AsyncIterable<string> | Iterable<string>): Promise<string[]> {
  const all: string[] = [];
  for await (const id of ids) all.push(id);
  return all;
}
