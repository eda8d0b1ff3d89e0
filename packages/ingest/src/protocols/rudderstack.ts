// RudderStack's SDKs speak Segment's protocol with a few differences, mapped here onto the one
// stored event: the JS SDK (v3) and the mobile SDKs send the anonymous id and the send time
// as headers (`anonymousid`, base64, and `sentat`); the client's time is `originalTimestamp`
// (enrichment already reads it); anonymous users come with `userId: ""`; mobile screen calls
// name the screen in `event`; the Node SDK names itself "analytics-node" like Segment's old
// Node library, so its `context.library` is renamed to tell them apart.
import type { BatchRequest } from '@sluice/schema';
import { copyFields } from '../copy-fields.js';

type Fields = Record<string, unknown>;

/** The request facts the RudderStack mapping reads. */
export interface RudderStackRequest {
  /** The `anonymousid` header: the anonymous id, base64. */
  anonymousId?: string | null;
  /** The `sentat` header: when the SDK sent the request. */
  sentAt?: string | null;
  /** The Content-Type: RudderStack's Node SDK sends JSON as `application/x-www-form-urlencoded`. */
  contentType?: string | null;
}

/** What the stored `context.library.name` of RudderStack's Node SDK is. */
export const RUDDER_NODE_LIBRARY = '@rudderstack/rudder-sdk-node';

const RUDDER_LIBRARY = /^(RudderLabs JavaScript SDK|com\.rudderstack\.|rudder-)/i;

function libraryName(event: Fields | undefined): unknown {
  const context = event?.context as { library?: { name?: unknown } } | undefined;
  return context?.library?.name;
}

function isRudderNode(event: Fields): boolean {
  return libraryName(event) === 'analytics-node' && event.channel === 'server';
}

/** True when the request shows RudderStack's headers, content type or library. */
export function isRudderStackRequest(request: RudderStackRequest, batch: BatchRequest): boolean {
  if (request.anonymousId || request.sentAt) return true;
  if (request.contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    return true;
  }
  const first = batch.batch[0];
  if (first === undefined) return false;
  const name = libraryName(first);
  return (typeof name === 'string' && RUDDER_LIBRARY.test(name)) || isRudderNode(first);
}

/** The `anonymousid` header decoded, or undefined when it is not base64 of a printable id. */
function decodeAnonymousId(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  try {
    const decoded = atob(header.trim());
    return /^[\x20-\x7e]{1,255}$/.test(decoded) ? decoded : undefined;
  } catch {
    return undefined;
  }
}

function mapEvent(event: Fields, anonymousId: string | undefined, sentAt: string | undefined) {
  const mapped = copyFields(event);
  if (mapped.userId === '') mapped.userId = null;
  if (mapped.anonymousId === '' || mapped.anonymousId == null) {
    if (anonymousId !== undefined) mapped.anonymousId = anonymousId;
    else if (mapped.anonymousId === '') mapped.anonymousId = null;
  }
  if (mapped.sentAt === undefined && sentAt !== undefined) mapped.sentAt = sentAt;
  if (typeof mapped.type === 'string') mapped.type = mapped.type.toLowerCase();
  if ((mapped.type === 'screen' || mapped.type === 'page') && mapped.name == null) {
    const properties = mapped.properties as Fields | undefined;
    const name = typeof mapped.event === 'string' ? mapped.event : properties?.name;
    if (typeof name === 'string') mapped.name = name;
  }
  if (isRudderNode(mapped)) {
    const context = copyFields(mapped.context as Fields);
    context.library = { ...(context.library as Fields), name: RUDDER_NODE_LIBRARY };
    mapped.context = context;
  }
  return mapped;
}

/** The batch with each event mapped from RudderStack's form (see the module comment). */
export function fromRudderStack(batch: BatchRequest, request: RudderStackRequest): BatchRequest {
  const anonymousId = decodeAnonymousId(request.anonymousId);
  const sentAt = request.sentAt?.trim() || undefined;
  return { ...batch, batch: batch.batch.map((event) => mapEvent(event, anonymousId, sentAt)) };
}
