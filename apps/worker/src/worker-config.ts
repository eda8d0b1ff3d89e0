import { type CollectorConfig, parseCollectorConfig } from '@sluice/collector/web';

/** Reads the collector's config from the `SLUICE_CONFIG` binding; throws with what is wrong. */
export function parseWorkerConfig(text: string | undefined): CollectorConfig {
  if (text === undefined || text.trim() === '') {
    throw new Error(
      'SLUICE_CONFIG is not set: add it with `wrangler secret put SLUICE_CONFIG` (or in .dev.vars)',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`SLUICE_CONFIG is not valid JSON: ${(error as Error).message}`);
  }
  return parseCollectorConfig(json);
}
