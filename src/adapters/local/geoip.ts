// Geo lockdown input: the networks of the allowed countries, from a MaxMind-format (MMDB) country database.
// The reader is an interface so the set building is testable now; an MMDB-backed reader (npm "maxmind" or
// a tree walker over the MaxMind DB spec, https://maxmind.github.io/MaxMind-DB/) plugs in behind it.
import { formatPrefix, parsePrefix } from '../../net/prefix.js';

/** Anything that can enumerate (network, country) pairs: an MMDB tree walk, a CSV, a test double. */
export interface GeoIpReader {
  /** Calls `visit` for every network in the database with its ISO 3166-1 alpha-2 country, if any. */
  forEachNetwork(visit: (network: string, country: string | undefined) => void): void;
}

export interface CountryNetworks {
  readonly v4: readonly string[];
  readonly v6: readonly string[];
}

export class GeoIpError extends Error {
  override readonly name = 'GeoIpError';
}

const ISO2 = /^[A-Z]{2}$/;

/** Canonical, de-duplicated networks of the given countries, split per family (IPv4-mapped → IPv4). */
export function countryNetworks(reader: GeoIpReader, countries: readonly string[]): CountryNetworks {
  const wanted = new Set(countries.map((c) => c.toUpperCase()));
  for (const c of wanted)
    if (!ISO2.test(c)) throw new GeoIpError(`country ${JSON.stringify(c)} is not an ISO 3166-1 alpha-2 code`);
  if (wanted.size === 0) throw new GeoIpError('geo lockdown needs at least one allowed country');
  const v4 = new Set<string>();
  const v6 = new Set<string>();
  reader.forEachNetwork((network, country) => {
    if (!country || !wanted.has(country.toUpperCase())) return;
    let p;
    try {
      p = parsePrefix(network, { strict: false });
    } catch {
      return; // a record we cannot parse allows nothing (fail closed: the set only grows with valid networks)
    }
    // MMDB v6 trees hold IPv4 at ::ffff:0:0/96 and ::/96; fold those back to IPv4.
    if (p.family === 6 && p.length >= 96) {
      const b = p.bytes;
      const mapped = b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
      const compat = b.slice(0, 12).every((x) => x === 0);
      if (mapped || compat) {
        v4.add(formatPrefix({ family: 4, bytes: b.slice(12, 16), length: p.length - 96 }));
        return;
      }
    }
    (p.family === 4 ? v4 : v6).add(formatPrefix(p));
  });
  return { v4: [...v4].sort(), v6: [...v6].sort() };
}

/** A reader over an in-memory list: for tests and for operators who export a country CSV. */
export class ListGeoIpReader implements GeoIpReader {
  constructor(private readonly rows: readonly (readonly [network: string, country: string])[]) {}
  forEachNetwork(visit: (network: string, country: string | undefined) => void): void {
    for (const [n, c] of this.rows) visit(n, c);
  }
}
