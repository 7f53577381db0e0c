// The one Rule builder for tests and fixtures (store contract, API fixture, unit, interop and end-to-end
// tests, benches): a complete Rule with neutral defaults, any field overridden. A target given without a
// match also sets the family and the match's destination, so a rule's destination always equals its target.
import type { Rule } from './rule.js';

export function sampleRule(id: string, overrides: Partial<Rule> = {}): Rule {
  const target = overrides.target ?? '203.0.113.5/32';
  const family = overrides.family ?? (target.includes(':') ? 6 : 4);
  return {
    id,
    tenant: 'default',
    target,
    family,
    intent: 'rate-limit',
    level: 1,
    match: { family, destination: { prefix: target } },
    actions: [{ kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 12_500_000 }],
    ttlSeconds: 300,
    createdAt: 1_000,
    expiresAt: 301_000,
    origin: 'auto',
    reason: 'test',
    state: 'announced',
    dryRun: true,
    ...overrides,
  };
}
