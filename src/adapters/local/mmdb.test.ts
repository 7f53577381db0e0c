import { describe, expect, it } from 'vitest';
import { writeMmdb } from '../../../test/adapters/local/mmdb-writer.js';
import { countryNetworks, GeoIpError } from './geoip.js';
import { MmdbReader } from './mmdb.js';

const rows = [
  ['203.0.113.0/24', 'DE'],
  ['198.51.100.0/25', 'FR'],
  ['198.51.100.128/25', 'DE'],
  ['2001:db8:1::/48', 'DE'],
  ['2001:db8:2::/48', 'FR'],
] as const;

describe('MmdbReader', () => {
  it('reads the metadata, walks the tree and decodes GeoIP2-shaped records (with a pointer)', () => {
    const r = new MmdbReader(writeMmdb(rows));
    expect(r.metadata).toMatchObject({
      recordSize: 24,
      ipVersion: 6,
      databaseType: 'Test-Country',
      majorVersion: 2,
    });
    const seen: [string, string | undefined][] = [];
    r.forEachNetwork((n, c) => seen.push([n, c]));
    // IPv4 networks live under ::/96 in an IPv6 tree (countryNetworks folds them back to IPv4)
    expect(seen.sort()).toEqual([
      ['2001:db8:1::/48', 'DE'],
      ['2001:db8:2::/48', 'FR'],
      ['::c633:6400/121', 'FR'],
      ['::c633:6480/121', 'DE'],
      ['::cb00:7100/120', 'DE'],
    ]);
    expect(countryNetworks(r, ['DE'])).toEqual({
      v4: ['198.51.100.128/25', '203.0.113.0/24'],
      v6: ['2001:db8:1::/48'],
    });
  });

  it('reads IPv4-only databases and the flat ip-location-db record shape', () => {
    const r = new MmdbReader(
      writeMmdb(
        [
          ['192.0.2.0/24', 'NL'],
          ['198.18.0.0/15', 'US'],
        ],
        { ipVersion: 4, flat: true },
      ),
    );
    expect(countryNetworks(r, ['US', 'NL'])).toEqual({ v4: ['192.0.2.0/24', '198.18.0.0/15'], v6: [] });
  });

  it('rejects files that are not MMDB, truncated or with a tree past the data', () => {
    expect(() => new MmdbReader(Buffer.from('hello'))).toThrow(GeoIpError);
    const good = writeMmdb(rows);
    expect(() => new MmdbReader(good.slice(40))).toThrow(GeoIpError);
    const bad = Uint8Array.from(good);
    bad.fill(0xff, 0, 6); // root records point far past the data section
    const r = new MmdbReader(bad);
    expect(() => r.forEachNetwork(() => undefined)).toThrow(GeoIpError);
  });
});
