import { describe, expect, it } from 'vitest';
import { messageIdsFileName } from './message-ids-name.js';

describe('messageIdsFileName', () => {
  it('names a file by the set of its messageIds, whatever their order or repeats', async () => {
    const name = await messageIdsFileName(['b', 'a', 'c']);
    expect(name).toMatch(/^[0-9a-f]{32}$/);
    expect(await messageIdsFileName(['c', 'a', 'b', 'a'])).toBe(name);
    expect(await messageIdsFileName(['a', 'b'])).not.toBe(name);
    // Ids are not joined naively: ["a,b"] and ["a","b"] differ.
    expect(await messageIdsFileName(['a,b'])).not.toBe(await messageIdsFileName(['a', 'b']));
  });
});
