// Builds Rule values for adapter tests: a UDP/53 reflection drop on a documentation address by default.
import type { NumericTerm } from '../../../src/flowspec/types.js';
import type { Rule } from '../../../src/domain/rule.js';

export const eq = (value: number, and = false): NumericTerm => ({
  and,
  lt: false,
  gt: false,
  eq: true,
  value,
});
export const ge = (value: number, and = false): NumericTerm => ({
  and,
  lt: false,
  gt: true,
  eq: true,
  value,
});
export const le = (value: number, and = true): NumericTerm => ({ and, lt: true, gt: false, eq: true, value });

export function makeRule(over: Partial<Rule> = {}): Rule {
  const target = over.target ?? '203.0.113.5/32';
  const family = over.family ?? (target.includes(':') ? 6 : 4);
  const base: Rule = {
    id: 'r-0001',
    tenant: 'default',
    target,
    family,
    intent: 'drop',
    level: 2,
    match: {
      family,
      destination: { prefix: target },
      ipProtocol: [eq(17)],
      sourcePort: [eq(53)],
    },
    actions: [{ kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 0 }],
    ttlSeconds: 300,
    createdAt: 1_795_000_000_000,
    expiresAt: 1_795_000_300_000,
    origin: 'auto',
    attackId: 'a-42',
    reason: 'udp_flood 3.1 Gbps > 2 Gbps threshold, source port 53 (dns_amplification)',
    state: 'pending',
    dryRun: false,
  };
  const merged = { ...base, ...over };
  if (over.match === undefined && (over.target !== undefined || over.family !== undefined)) {
    return { ...merged, match: { ...base.match, family, destination: { prefix: target } } };
  }
  return merged;
}
