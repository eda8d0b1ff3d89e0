// localStorage throws in some privacy modes and sandboxed iframes; then ids live in
// memory for this page only, which is still better than no id. Memory holds only what
// storage refused, so storage stays the truth when it works.
const memory: Record<string, string> = {};

/** Reads a value kept by `keep`, from localStorage or, when that fails, from memory. */
export function recall(key: string): string | undefined {
  try {
    return localStorage.getItem(key) || memory[key];
  } catch {
    return memory[key];
  }
}

/** Keeps a value in localStorage when it can, in memory always; returns the value. */
export function keep(key: string, value: string): string {
  try {
    localStorage.setItem(key, value);
  } catch {
    memory[key] = value;
  }
  return value;
}
