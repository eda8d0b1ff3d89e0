// The one record an invalid event is kept as, under `quarantine/`. Every entry writes it the
// same way (the collector, the MQTT bridge, `sluice import`, built by @sluice/ingest), so one
// reader (erasure, replay, a person with DuckDB) understands them all.
import { z } from 'zod';

/** One validation problem: the dotted path of the field (empty for the whole event) and why. */
export const fieldIssueSchema = z.object({ path: z.string(), message: z.string() });

/** An event that was not stored as valid, with the reasons and what was sent. */
export const quarantineRecordSchema = z.object({
  /** Why it was refused: at least one issue. */
  reason: z.array(fieldIssueSchema).min(1),
  /** What was sent: the event object, or the text when it was not a JSON object. */
  event: z.unknown(),
  /** Server time it arrived (ISO 8601); an imported record without one has none. */
  receivedAt: z.string().optional(),
  /** The MQTT topic it came on (the bridge). */
  topic: z.string().optional(),
  /** The input file and line it was read from (`sluice import`). */
  importedFrom: z.object({ input: z.string(), line: z.number().int() }).optional(),
});

/** A quarantine record, as stored. */
export type QuarantineRecord = z.infer<typeof quarantineRecordSchema>;
