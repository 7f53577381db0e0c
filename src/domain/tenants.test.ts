// The tenant → networks map and how the config folds it into detection.
import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { TenantMap, protectedNetworks } from './tenants.js';

describe('TenantMap', () => {
  const map = new TenantMap({
    blue: { networks: ['203.0.113.0/24', '2001:db8:1::/48'] },
    red: { networks: ['198.51.100.0/24', '203.0.113.128/25'] },
  });

  it('finds the owner of an address or prefix by longest match', () => {
    expect(map.tenantOf('203.0.113.5')).toBe('blue');
    expect(map.tenantOf('203.0.113.200/32')).toBe('red');
    expect(map.tenantOf('2001:db8:1::9')).toBe('blue');
    expect(map.tenantOf('198.51.100.0/24')).toBe('red');
    expect(map.tenantOf('192.0.2.1')).toBeUndefined();
    expect(map.tenantOf('not an address')).toBeUndefined();
  });

  it('a prefix wider than any tenant network belongs to nobody', () => {
    expect(map.tenantOf('203.0.112.0/23')).toBeUndefined();
  });

  it('lists networks per tenant and their union', () => {
    expect(map.networksOf('red')).toEqual(['198.51.100.0/24', '203.0.113.128/25']);
    expect(map.networksOf('green')).toBeUndefined();
    expect(map.names()).toEqual(['blue', 'red']);
    expect(map.allNetworks()).toHaveLength(4);
  });
});

describe('tenants in the config', () => {
  it('with none configured, detection.networks form the "default" tenant', () => {
    const c = configSchema.parse({ detection: { networks: ['203.0.113.0/24'] } });
    expect(c.mitigation.tenants).toEqual({ default: { networks: ['203.0.113.0/24'] } });
  });

  it('with tenants configured, detection protects the union of both lists', () => {
    const c = configSchema.parse({
      detection: { networks: ['203.0.113.0/24'] },
      mitigation: { tenants: { blue: { networks: ['203.0.113.0/24', '198.51.100.0/24'] } } },
    });
    expect(c.detection.networks).toEqual(['203.0.113.0/24', '198.51.100.0/24']);
    expect(protectedNetworks([], { a: { networks: ['2001:db8::/32'] } })).toEqual(['2001:db8::/32']);
  });
});
