import { z } from 'zod';
import { contextSchema } from './event.js';
import { MAX_BATCH_EVENTS } from './limits.js';

/**
 * A batch request (`POST /v1/batch`). Events are only checked to be objects here:
 * each one is validated on its own, so one bad event does not cost the good ones.
 */
export const batchRequestSchema = z.looseObject({
  batch: z
    .array(z.record(z.string(), z.unknown()), {
      message: 'batch must be an array of event objects',
    })
    .min(1, 'batch must hold at least one event')
    .max(MAX_BATCH_EVENTS, `batch holds at most ${MAX_BATCH_EVENTS} events`),
  sentAt: z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time' }).optional(),
  writeKey: z.string().min(1).max(256).optional(),
  context: contextSchema.optional(),
});

export type BatchRequest = z.output<typeof batchRequestSchema>;
