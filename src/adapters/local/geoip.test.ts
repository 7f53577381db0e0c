import { describe, expect, it } from 'vitest';
import { GeoIpError, ListGeoIpReader, countryNetworks } from './geoip.js';

describe('countryNetworks', () => {
  it('selects the allowed countries, folds IPv4-mapped networks and de-duplicates', () => {
    const r = new ListGeoIpReader([
      ['198.51.100.0/24', 'DE'],
      ['::ffff:203.0.113.0/120', 'de'],
      ['2001:db8::/32', 'DE'],
      ['192.0.2.0/24', 'FR'],
      ['198.51.100.0/24', 'DE'],
      ['not-a-network', 'DE'],
    ]);
    expect(countryNetworks(r, ['DE'])).toEqual({
      v4: ['198.51.100.0/24', '203.0.113.0/24'],
      v6: ['2001:db8::/32'],
    });
  });

  it('refuses country codes that are not ISO 3166-1 alpha-2, and an empty list', () => {
    const r = new ListGeoIpReader([]);
    expect(() => countryNetworks(r, ['DEU'])).toThrow(GeoIpError);
    expect(() => countryNetworks(r, [])).toThrow(/at least one/);
  });
});
