// Where a client is, from its raw IP address while the collector still holds it: the
// database lookup receives an opened reader (the entry point reads the file), so this stays
// runtime-free. Only the location is kept; the address itself never enters the event.

/**
 * An event's `context.location`, with the field names of Segment's and RudderStack's
 * context: `country` (ISO 3166-1 alpha-2 code), `region` (state or province name), `city`,
 * and `source`, the database and its version (`dbip-country-lite-2026-06`) or `cloudflare`.
 */
export interface GeoLocation {
  country?: string;
  region?: string;
  city?: string;
  source: string;
}

/** The location of a raw IP address, or undefined when the database knows none. */
export type LocateIp = (ip: string) => GeoLocation | undefined;

/** What the lookup needs of an MMDB reader (mmdb-lib's `Reader`). */
export interface MmdbReader {
  get(ip: string): unknown;
  metadata: { buildEpoch: Date };
}

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

// Fields the database does not have are left out rather than stored as null.
function withPlace(
  country: string,
  region: string | undefined,
  city: string | undefined,
  source: string,
): GeoLocation {
  return {
    country,
    ...(region === undefined ? {} : { region }),
    ...(city === undefined ? {} : { city }),
    source,
  };
}

/**
 * The location in one record of an ip-location-db MMDB (DB-IP lite, GeoLite2): `country_code`,
 * and in the city databases `state1` and `city`. Undefined when the record names no country.
 */
export function locationFromRecord(record: unknown, source: string): GeoLocation | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  const fields = record as Record<string, unknown>;
  const country = text(fields.country_code);
  if (country === undefined) return undefined;
  return withPlace(country, text(fields.state1), text(fields.city), source);
}

interface OpenDatabase {
  reader: MmdbReader;
  source: string;
}

/**
 * Looks addresses up in ip-location-db's MMDBs, one per family (`open(4)`, `open(6)`: its city
 * databases come only split), each opened on its first lookup: a process that never sees a
 * client address never reads a file. `source` is `name` and the database's build month
 * (`dbip-country-lite-2026-06`). A string that is not an address has no location.
 */
export function createMmdbLocator(open: (family: 4 | 6) => MmdbReader, name: string): LocateIp {
  const opened: { 4?: OpenDatabase; 6?: OpenDatabase } = {};
  const database = (family: 4 | 6): OpenDatabase => {
    let found = opened[family];
    if (found === undefined) {
      const reader = open(family);
      const month = reader.metadata.buildEpoch.toISOString().slice(0, 7);
      found = opened[family] = { reader, source: `${name}-${month}` };
    }
    return found;
  };
  // Keep-alive connections send request after request from one address.
  let lastIp: string | undefined;
  let lastLocation: GeoLocation | undefined;
  return (ip) => {
    if (ip === lastIp) return lastLocation;
    lastLocation = lookup(ip);
    lastIp = ip;
    return lastLocation;
  };

  function lookup(ip: string): GeoLocation | undefined {
    const { reader, source } = database(ip.includes(':') ? 6 : 4);
    let record: unknown;
    try {
      record = reader.get(ip);
    } catch {
      return undefined; // mmdb-lib throws on a malformed address
    }
    return locationFromRecord(record, source);
  }
}

/**
 * The location Cloudflare's edge puts on a Worker's request (`request.cf`): `country` is
 * already an ISO code, `region` the region's name. Undefined without a country (workerd
 * without Cloudflare in front).
 */
export function locationFromCloudflare(cf: unknown): GeoLocation | undefined {
  if (typeof cf !== 'object' || cf === null) return undefined;
  const fields = cf as Record<string, unknown>;
  const country = text(fields.country);
  if (country === undefined) return undefined;
  return withPlace(country, text(fields.region), text(fields.city), 'cloudflare');
}
