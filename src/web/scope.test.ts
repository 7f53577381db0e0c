// Tenant scoping of the live stream: zero cross-tenant events for a tenant token.
import { describe, expect, it } from 'vitest';
import type { OpsEvent } from '../domain/events.js';
import { sampleEvent } from '../store/store-contract.js';
import { type StreamEvent, scopeEvent, tenantResolver } from './scope.js';

const tenantOf = tenantResolver({
  acme: { networks: ['203.0.113.0/24', '2001:db8:a::/48'] },
  beta: { networks: ['203.0.113.128/25'] }, // more specific: beta owns the upper half
  empty: { networks: [] },
});

const attack = (target: string): OpsEvent => ({
  type: 'attack',
  at: 1,
  event: { ...sampleEvent('start', 1), target },
});
const audit = (tenant: string): OpsEvent => ({
  type: 'audit',
  at: 1,
  record: { at: 1, actor: 'engine', action: 'announce', tenant, dryRun: true, reason: 'r' },
});
const rate = (target: string) => ({
  attackId: target,
  target,
  level: 'host' as const,
  direction: 'incoming' as const,
  mode: 'static' as const,
  pps: 1,
  bps: 8,
});
const rates: StreamEvent = {
  type: 'rates',
  at: 1,
  samples: [rate('203.0.113.5/32'), rate('203.0.113.200/32'), rate('2001:db8:a::1/128')],
};
const infra: OpsEvent[] = [
  { type: 'adapter', at: 1, adapter: 'gobgp', state: 'down' },
  { type: 'bgp-session', at: 1, peer: 'r1', state: 'up' },
  { type: 'exporter', at: 1, exporter: '192.0.2.1', state: 'silent' },
  { type: 'rpki', at: 1, state: 'stale' },
];

describe('tenantResolver', () => {
  it('finds the longest matching tenant network for hosts and prefixes', () => {
    expect(tenantOf('203.0.113.5/32')).toBe('acme');
    expect(tenantOf('203.0.113.200')).toBe('beta');
    expect(tenantOf('203.0.113.128/25')).toBe('beta');
    expect(tenantOf('203.0.113.0/24')).toBe('acme');
    expect(tenantOf('2001:db8:a::1/128')).toBe('acme');
    expect(tenantOf('198.51.100.1/32')).toBeUndefined();
    expect(tenantOf('garbage')).toBeUndefined();
  });
});

describe('scopeEvent', () => {
  it('gives a global token everything unchanged', () => {
    for (const e of [attack('198.51.100.1/32'), audit('*'), rates, ...infra]) {
      expect(scopeEvent(e, null, tenantOf)).toBe(e);
      expect(scopeEvent(e, undefined, tenantOf)).toBe(e);
    }
  });

  it('gives a tenant token only its own attacks, audit records and rate samples, no infrastructure', () => {
    expect(scopeEvent(attack('203.0.113.5/32'), 'acme', tenantOf)).toBeDefined();
    expect(scopeEvent(attack('203.0.113.200/32'), 'acme', tenantOf)).toBeUndefined();
    expect(scopeEvent(attack('203.0.113.200/32'), 'beta', tenantOf)).toBeDefined();
    expect(scopeEvent(audit('acme'), 'acme', tenantOf)).toBeDefined();
    expect(scopeEvent(audit('beta'), 'acme', tenantOf)).toBeUndefined();
    expect(scopeEvent(audit('*'), 'acme', tenantOf)).toBeUndefined();
    for (const e of infra) expect(scopeEvent(e, 'acme', tenantOf)).toBeUndefined();
    const acme = scopeEvent(rates, 'acme', tenantOf) as Extract<StreamEvent, { type: 'rates' }>;
    expect(acme.samples.map((s) => s.target)).toEqual(['203.0.113.5/32', '2001:db8:a::1/128']);
    const beta = scopeEvent(rates, 'beta', tenantOf) as Extract<StreamEvent, { type: 'rates' }>;
    expect(beta.samples.map((s) => s.target)).toEqual(['203.0.113.200/32']);
    const none = scopeEvent(rates, 'empty', tenantOf) as Extract<StreamEvent, { type: 'rates' }>;
    expect(none.samples).toEqual([]);
  });
});
