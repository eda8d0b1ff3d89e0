// nanoid's URL-safe alphabet, in nanoid's order (64 characters, so `& 63` picks uniformly).
const ALPHABET = 'useandom-26T198340PX75pxJACKVERYMINDBUSHWOLF_GQZbfghjklqvwyzrict';

/** A 21-character random id (as nanoid: ~126 bits) from `crypto.getRandomValues`. */
export function randomId(): string {
  let bytes: Uint8Array | undefined;
  try {
    bytes = crypto.getRandomValues(new Uint8Array(21));
  } catch {
    // No Web Crypto (very old or stripped-down runtimes): weaker ids beat losing the event.
  }
  let id = '';
  for (let i = 0; i < 21; i++) id += ALPHABET[(bytes ? bytes[i]! : Math.random() * 64) & 63];
  return id;
}
