// Rules for adapter tests: a UDP/53 reflection drop on a documentation address by default, built with the
// one Rule builder (src/domain/sample-rule.ts); a target or family given without a match moves its destination.
import type { Rule } from '../../../src/domain/rule.js';
import { sampleRule } from '../../../src/domain/sample-rule.js';
import { eq } from '../../support/rules.js';

export function makeRule(over: Partial<Rule> = {}): Rule {
  const target = over.target ?? '203.0.113.5/32';
  const family = over.family ?? (target.includes(':') ? 6 : 4);
  return sampleRule(over.id ?? 'r-0001', {
    intent: 'drop',
    level: 2,
    match: {
      family,
      destination: { prefix: target },
      ipProtocol: [eq(17)],
      sourcePort: [eq(53)],
    },
    actions: [{ kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 0 }],
    createdAt: 1_795_000_000_000,
    expiresAt: 1_795_000_300_000,
    attackId: 'a-42',
    reason: 'udp_flood 3.1 Gbps > 2 Gbps threshold, source port 53 (dns_amplification)',
    state: 'pending',
    dryRun: false,
    ...over,
    target,
    family,
  });
}
