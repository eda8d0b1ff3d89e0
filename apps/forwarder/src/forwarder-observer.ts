/**
 * Told about what a forwarder does as it happens, for histograms and per-label counters
 * (forwarder-metrics.ts); totals that can be read at any time are in `ForwarderStats`.
 */
export interface ForwarderObserver {
  /** A file was put into the store (one successful attempt, which took `seconds`). */
  fileUploaded?(report: { format: string; bytes: number; seconds: number }): void;
  /** A checkpoint was saved (the commit before the ack), in `seconds`. */
  committed?(seconds: number): void;
  /** A store or queue call failed and will be retried: `call` is upload, ack, read, ... */
  callFailed?(call: string): void;
}

/** The call a retried operation names, without the object key an upload carries. */
export function callOf(during: string): string {
  return during.startsWith('upload ') ? 'upload' : during;
}
