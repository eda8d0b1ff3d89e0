/**
 * Hands one body to the browser. A string body goes out as text/plain, a CORS "simple"
 * request, so no preflight. sendBeacon first: the browser keeps it after the page is gone;
 * fetch keepalive when the beacon is missing (or blocked) or refused (quota full).
 */
export function send(url: string, body: string): void {
  if (!navigator.sendBeacon?.(url, body)) {
    // Nothing to do with a failure yet; the catch keeps it off the page's console.
    fetch(url, { method: 'POST', body, keepalive: true }).catch(() => {});
  }
}
