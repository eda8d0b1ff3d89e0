import { MAX_BEACON_BYTES, MAX_EVENT_BYTES } from '@sluice/schema/limits';

const byteLength = (text: string): number => new Blob([text]).size;

/**
 * Serializes events into `/v1/batch` bodies of at most MAX_BEACON_BYTES each (the browser's
 * beacon/keepalive quota), every event in exactly one body, in order. An event over
 * MAX_EVENT_BYTES is dropped: the collector would refuse it, and it might not fit a body.
 */
export function splitBodies(writeKey: string, events: readonly object[]): string[] {
  const head = `{"writeKey":${JSON.stringify(writeKey)},"sentAt":"${new Date().toISOString()}","batch":[`;
  const empty = byteLength(head) + 2; // head + "]}"
  const bodies: string[] = [];
  let part = '';
  let size = empty;
  for (const event of events) {
    const json = JSON.stringify(event);
    const bytes = byteLength(json) + 1; // counting a comma for each event errs on the safe side
    if (bytes > MAX_EVENT_BYTES) continue;
    if (part && size + bytes > MAX_BEACON_BYTES) {
      bodies.push(`${head}${part}]}`);
      part = '';
      size = empty;
    }
    part += part ? `,${json}` : json;
    size += bytes;
  }
  if (part) bodies.push(`${head}${part}]}`);
  return bodies;
}
