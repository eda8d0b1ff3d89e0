// Cloudflare Queues have no positions to name files by (the forwarder's way). A file is named
// by what it holds instead: the same set of messageIds always gives the same name, so a batch
// delivered again overwrites its own file rather than adding a second one.

const encoder = new TextEncoder();

/** 32 hex digits (128 bits of SHA-256) over the sorted, unique messageIds of a file's lines. */
export async function messageIdsFileName(messageIds: Iterable<string>): Promise<string> {
  const sorted = [...new Set(messageIds)].sort();
  // JSON keeps the list unambiguous whatever characters the ids hold.
  const digest = await crypto.subtle.digest('SHA-256', encoder.encode(JSON.stringify(sorted)));
  return [...new Uint8Array(digest, 0, 16)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
