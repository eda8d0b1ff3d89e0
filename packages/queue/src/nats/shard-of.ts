/**
 * The shard of a message: FNV-1a (32 bit) of its messageId modulo `shards`. Stable across
 * processes and versions, so every collector sends a given event to the same shard.
 */
export function shardOf(messageId: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < messageId.length; i++) {
    hash ^= messageId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}
