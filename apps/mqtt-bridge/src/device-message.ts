// One MQTT message to one queue message, through the same parsing, validation, enrichment
// and quarantine as a web event (@sluice/ingest), so a device event is stored exactly like one.

import {
  type EnrichOptions,
  ingestBatch,
  parseJsonObject,
  quarantineMessage,
  quarantineRecord,
} from '@sluice/ingest';
import type { QueueMessage } from '@sluice/queue';
import type { FieldIssue } from '@sluice/schema';
import type { RouteConfig } from './bridge-config.js';
import type { TopicFields } from './topic-pattern.js';

/** A message as the broker delivered it, with the route and topic fields it matched. */
export interface DeviceMessage {
  topic: string;
  payload: Uint8Array;
  /** Bridge clock when the message was read, ms since the epoch. */
  receivedAtMs: number;
  route: RouteConfig;
  fields: TopicFields;
}

/** The queue message, and the reasons when it went to quarantine. */
export interface MappedMessage {
  message: QueueMessage;
  rejected?: FieldIssue[];
}

type EventObject = Record<string, unknown>;

const encoder = new TextEncoder();
const lenientUtf8 = new TextDecoder('utf-8');

/**
 * The id of a message that brings none: `mqtt-` and the first 128 bits (hex) of the SHA-256
 * of topic, a zero byte and the payload bytes. A QoS 1 redelivery or a device's resend of the
 * same reading has the same topic and bytes, so the same id, and is stored once.
 */
export async function deviceMessageId(topic: string, payload: Uint8Array): Promise<string> {
  const topicBytes = encoder.encode(topic);
  const input = new Uint8Array(topicBytes.length + 1 + payload.length);
  input.set(topicBytes, 0);
  input.set(payload, topicBytes.length + 1);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', input));
  let hex = '';
  for (const byte of digest.subarray(0, 16)) hex += byte.toString(16).padStart(2, '0');
  return `mqtt-${hex}`;
}

function isPlainObject(value: unknown): value is EventObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The device id the message claims, or an issue when the topic and the payload disagree. */
function deviceIdOf(
  event: EventObject,
  fromTopic: string | undefined,
): { deviceId?: string; issue?: FieldIssue } {
  const claims = (['anonymousId', 'deviceId'] as const).filter((field) => event[field] != null);
  if (fromTopic !== undefined) {
    // The topic is what the broker's ACL checked (`pattern write devices/%u/#`): it wins, and a
    // payload that names another device is not trusted with either.
    for (const field of claims) {
      if (event[field] !== fromTopic) {
        const message = `must be the topic's device id "${fromTopic}" or absent`;
        return { issue: { path: field, message } };
      }
    }
    return { deviceId: fromTopic };
  }
  if (claims.length === 2 && event.anonymousId !== event.deviceId) {
    return { issue: { path: 'deviceId', message: 'must equal anonymousId when both are given' } };
  }
  // A claim that is not a string is kept in the event for validation to refuse.
  const claimed = claims.map((field) => event[field]).find((v) => typeof v === 'string');
  return { deviceId: claimed as string | undefined };
}

function hasClientTime(event: EventObject): boolean {
  return event.timestamp !== undefined || event.originalTimestamp !== undefined;
}

/**
 * The event a message stands for: the payload's fields, with `type` "track" unless it says
 * otherwise, `event` from the topic unless the payload names it, the device id as
 * `anonymousId` and `context.device.id`, the topic in `context.mqtt.topic`, and `messageId`
 * derived from topic and bytes when the payload has none.
 */
function toEvent(event: EventObject, msg: DeviceMessage, deviceId: string | undefined, id: string) {
  const mapped: EventObject = { ...event, type: event.type ?? 'track' };
  if (mapped.messageId === undefined) mapped.messageId = id;
  if (deviceId !== undefined) mapped.anonymousId = deviceId;
  if (mapped.type === 'track' && mapped.event === undefined && msg.fields.event !== undefined) {
    mapped.event = msg.fields.event;
  }
  // A context that is not an object is left as it is, for validation to refuse.
  if (mapped.context === undefined || isPlainObject(mapped.context)) {
    const context: EventObject = { ...mapped.context, mqtt: { topic: msg.topic } };
    if (deviceId !== undefined) {
      const device = isPlainObject(context.device) ? context.device : {};
      context.device = { ...device, id: deviceId };
    }
    mapped.context = context;
  }
  return mapped;
}

/** The quarantine message: the reasons, what was sent (the text when not JSON), the topic. */
function quarantine(msg: DeviceMessage, id: string, reason: FieldIssue[], sent: unknown) {
  const record = quarantineRecord(reason, sent, {
    receivedAtMs: msg.receivedAtMs,
    topic: msg.topic,
  });
  const message = quarantineMessage(record, {
    id,
    source: msg.route.source,
    time: msg.receivedAtMs,
  });
  return { message, rejected: reason };
}

/**
 * Maps one delivered message to its queue message: a valid event, enriched as the collector
 * does (receivedAt, the clamped event time, skew correction if the route asks), or a
 * quarantine record with the reasons and what was sent. Never throws on bad input.
 */
export async function mapDeviceMessage(msg: DeviceMessage): Promise<MappedMessage> {
  const derivedId = await deviceMessageId(msg.topic, msg.payload);
  // Deeper nesting than MAX_JSON_DEPTH would overflow the stack of validation later on.
  const parsed = parseJsonObject(msg.payload, 'payload');
  if (!parsed.ok) {
    const payload = lenientUtf8.decode(msg.payload);
    return quarantine(msg, derivedId, [{ path: '', message: parsed.problem.message }], payload);
  }
  const event = parsed.value;
  const { deviceId, issue } = deviceIdOf(event, msg.fields.deviceId);
  if (issue) return quarantine(msg, derivedId, [issue], event);
  if (event.messageId === undefined && !hasClientTime(event)) {
    // Without either, a resend and a new identical reading look the same: storing it under a
    // derived id could drop real readings, a fresh id would store every resend.
    const message = 'a message without messageId needs a timestamp, so resends can be told apart';
    return quarantine(msg, derivedId, [{ path: 'messageId', message }], event);
  }
  const options: EnrichOptions = {
    receivedAt: true,
    correctClockSkew: msg.route.correctClockSkew,
    ip: 'drop',
    parseUserAgent: false,
    detectBots: false,
  };
  const result = ingestBatch(
    { batch: [toEvent(event, msg, deviceId, derivedId)] },
    {
      sourceId: msg.route.source,
      receivedAtMs: msg.receivedAtMs,
      options,
      maxEventBytes: msg.route.maxEventBytes,
      newId: () => derivedId,
    },
  );
  const message = result.messages[0]!;
  const rejected = result.rejected[0]?.errors;
  return rejected ? { message, rejected } : { message };
}
