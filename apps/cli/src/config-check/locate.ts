// Where a config path is in the file's text: line and column (1-based), by jsonc-parser's
// syntax tree, so a problem is reported where the person will fix it.
import { findNodeAtLocation, type Node } from 'jsonc-parser';

export type JsonPath = (string | number)[];

/** Line and column (1-based) of `offset` in `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

/**
 * The offset of the value at `path` (of its name, with `key`: an unknown property), or of the
 * nearest enclosing value the file has; `depth` is how many parts of the path the file has.
 */
export function offsetOf(
  tree: Node,
  path: JsonPath,
  key?: string,
): { offset: number; depth: number } {
  if (key !== undefined) {
    const property = findNodeAtLocation(tree, [...path, key])?.parent;
    const name = property?.children?.[0];
    if (name) return { offset: name.offset, depth: path.length + 1 };
  }
  for (let length = path.length; length >= 0; length--) {
    const node = findNodeAtLocation(tree, path.slice(0, length));
    if (node) {
      // A property's value: point at its name, where the eye looks first.
      const name = node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
      return { offset: (name ?? node).offset, depth: length };
    }
  }
  return { offset: 0, depth: 0 };
}

/** How many leading parts two paths share. */
export function sharedParts(a: JsonPath, b: JsonPath): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}
