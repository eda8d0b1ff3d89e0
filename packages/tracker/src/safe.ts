/** Wraps a function so that nothing it throws reaches the host page. */
export function safe<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  return (...args) => {
    try {
      fn(...args);
    } catch {}
  };
}
