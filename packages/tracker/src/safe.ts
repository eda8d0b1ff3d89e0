/** Wraps a function so that nothing it throws reaches the host page. */
export const safe =
  <A extends unknown[]>(fn: (...args: A) => void): ((...args: A) => void) =>
  (...args) => {
    try {
      fn(...args);
    } catch {}
  };
