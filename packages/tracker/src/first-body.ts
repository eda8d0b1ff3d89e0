import { MAX_BEACON_BYTES } from '@sluice/schema/limits';

/** Size in bytes of `text` as UTF-8. */
export const byteLength = (text: string): number => new Blob([text]).size;

/**
 * Builds the `/v1/batch` body of the first events (serialized, in order) that fit in
 * MAX_BEACON_BYTES, the browser's beacon/keepalive quota, and says how many it holds. Each
 * event is under MAX_EVENT_BYTES (the tracker drops bigger ones), so the first always fits.
 */
export const firstBody = (writeKey: string, events: readonly string[]): [string, number] => {
  // `{"writeKey":…,"sentAt":"<ISO time>","batch":[`
  const head = JSON.stringify({ writeKey, sentAt: new Date(), batch: [] }).slice(0, -2);
  let size = byteLength(head) + 1; // + "]}" less the first event's comma
  let count = 0;
  // Each event adds its bytes and a comma. (The assignment in the test saves the tag bytes.)
  // biome-ignore lint/suspicious/noAssignInExpressions: see above
  while (count < events.length && (size += byteLength(events[count]!) + 1) <= MAX_BEACON_BYTES)
    count++;
  count ||= 1; // never an empty body, even for an event too big to fit (not from this tag)
  // An array in a template literal is joined with commas.
  return [`${head}${events.slice(0, count)}]}`, count];
};
