import { type GeoLocation, locationFromCloudflare } from '@sluice/collector/web';
import type { Context } from 'hono';

/**
 * The client address on Workers, for the collector's `clientIp` (per-IP rate limit and the
 * anonymized `context.ip`, as the socket address is on Node). Cloudflare's edge sets
 * CF-Connecting-IP to the address that connected to it, replacing any value the client sent,
 * so behind Cloudflare it cannot be forged. A Worker reached without Cloudflare in front
 * (workerd or `wrangler dev` on a port of its own) sees the header as the client wrote it.
 * One header read: hono's `getConnInfo` for Workers does the same but is deprecated and drags in
 * its static-file module.
 */
export function cloudflareClientIp(c: Context): string | undefined {
  return c.req.header('cf-connecting-ip');
}

/**
 * The client's location on Workers, for sources with `enrich.geo`: Cloudflare's edge looks
 * the connecting address up itself and puts country, region and city on `request.cf`, so the
 * Worker needs no database of its own (events' own `context.ip` get no location here).
 */
export function cloudflareClientLocation(c: Context): GeoLocation | undefined {
  return locationFromCloudflare((c.req.raw as { cf?: unknown }).cf);
}
