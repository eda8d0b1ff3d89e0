// Shared fixtures for the collector's tests (not part of the package's API).
import type { Queue, QueueEntry } from '@sluice/queue';
import { type CollectorConfig, parseCollectorConfig } from './config.js';

export const SHOP_KEY = 'wk_shop';
export const BLOG_KEY = 'wk_blog';
export const BACKEND_KEY = 'wk_backend';
export const SHOP_ORIGIN = 'https://shop.example';
export const BLOG_ORIGIN = 'https://blog.example';

/** Three sources: a shop and a blog (browsers) and a backend (servers only, no origins). */
export const testConfig: CollectorConfig = parseCollectorConfig({
  sources: [
    { id: 'shop', writeKeys: [SHOP_KEY], allowedOrigins: [SHOP_ORIGIN, 'http://localhost:8080'] },
    { id: 'blog', writeKeys: [BLOG_KEY], allowedOrigins: [BLOG_ORIGIN] },
    { id: 'backend', writeKeys: [BACKEND_KEY] },
  ],
});

let counter = 0;

/** A valid track event as the tag sends it. */
export function trackEvent(fields: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    type: 'track',
    event: 'Signed Up',
    messageId: `msg-${counter}`,
    anonymousId: 'anon-1',
    timestamp: '2026-03-01T10:00:00.000Z',
    properties: { plan: 'pro' },
    ...fields,
  };
}

/** Everything appended to the queue so far. */
export async function readQueue(queue: Queue): Promise<QueueEntry[]> {
  const consumer = await queue.consumer(`test-${Math.random()}`);
  const entries = await consumer.read(10_000, 0);
  await consumer.close();
  return entries;
}

/** A queue message's body as JSON. */
export function bodyOf(entry: { body: Uint8Array }): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(entry.body)) as Record<string, unknown>;
}
