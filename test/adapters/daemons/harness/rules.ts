// Test rules exercising every component and action a daemon may carry, IPv4 and IPv6.
import type { EscalationLevel, Intent, Rule } from '../../../../src/domain/rule.js';
import { sampleRule } from '../../../../src/domain/sample-rule.js';
import type { FlowSpecAction, FlowSpecMatch } from '../../../../src/flowspec/types.js';
import { all, eq, ge, gt, le, none } from '../../../support/rules.js';

const LEVEL: Partial<Record<Intent, EscalationLevel>> = {
  'rate-limit': 1,
  drop: 2,
  blackhole: 3,
  scrubbing: 4,
};

/** A pending manual interop rule on the ladder level of its intent; match components beside the destination. */
export function makeRule(p: {
  id: string;
  target: string;
  intent: Intent;
  match?: Partial<FlowSpecMatch>;
  actions?: FlowSpecAction[];
  communities?: string[];
  largeCommunities?: string[];
  peers?: string[];
  nextHop?: string;
  dryRun?: boolean;
}): Rule {
  const family = p.target.includes(':') ? 6 : 4;
  return sampleRule(p.id, {
    target: p.target,
    intent: p.intent,
    level: LEVEL[p.intent] ?? 1,
    match: { family, destination: { prefix: p.target }, ...p.match },
    actions: p.actions ?? [],
    communities: p.communities,
    largeCommunities: p.largeCommunities,
    peers: p.peers,
    ...(p.nextHop !== undefined ? { nextHop: p.nextHop } : {}),
    createdAt: 1_800_000_000_000,
    expiresAt: 1_800_000_300_000,
    origin: 'manual',
    reason: 'interop test',
    state: 'pending',
    dryRun: p.dryRun ?? false,
  });
}

const discard: FlowSpecAction = { kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 0 };

/** IPv4 rate-limit on UDP reflection: protocol, dport with an OR and an AND range, sport, length. */
export const v4RateLimit = makeRule({
  id: 'r4-rate',
  target: '203.0.113.10/32',
  intent: 'rate-limit',
  match: {
    ipProtocol: [eq(17)],
    destinationPort: [eq(53), ge(1024), le(2048, true)],
    sourcePort: [eq(123)],
    packetLength: [gt(400)],
  },
  actions: [{ kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 12_500_000 }],
});

/** IPv4 drop of SYN-without-ACK from a source prefix, DSCP, ICMP-free, plus a fragment term. */
export const v4Drop = makeRule({
  id: 'r4-drop',
  target: '203.0.113.11/32',
  intent: 'drop',
  match: {
    source: { prefix: '198.51.100.0/24' },
    ipProtocol: [eq(6)],
    port: [eq(80), eq(443)],
    tcpFlags: [all(0x02), none(0x10, true)],
    dscp: [eq(46)],
    fragment: [none(0x02)],
  },
  actions: [discard],
});

export const v4Redirect = makeRule({
  id: 'r4-vrf',
  target: '203.0.113.13/32',
  intent: 'vrf-redirect',
  match: { ipProtocol: [eq(1)], icmpType: [eq(8)], icmpCode: [eq(0)] },
  actions: [{ kind: 'redirect-vrf', routeTarget: '65040:100' }],
});

export const v4Blackhole = makeRule({
  id: 'r4-rtbh',
  target: '203.0.113.12/32',
  intent: 'blackhole',
  communities: ['65040:7'],
  largeCommunities: ['65040:666:1'],
});

export const v6Drop = makeRule({
  id: 'r6-drop',
  target: '2001:db8::10/128',
  intent: 'drop',
  match: { ipProtocol: [eq(58)], icmpType: [eq(128)], icmpCode: [eq(0)], packetLength: [ge(1000)] },
  actions: [discard],
});

export const v6RateLimit = makeRule({
  id: 'r6-rate',
  target: '2001:db8::11/128',
  intent: 'rate-limit',
  match: { ipProtocol: [eq(17)], sourcePort: [eq(53)], flowLabel: [eq(5)] },
  actions: [{ kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 1_250_000 }],
});

export const v6Blackhole = makeRule({
  id: 'r6-rtbh',
  target: '2001:db8::12/128',
  intent: 'blackhole',
  communities: ['65040:7'],
  largeCommunities: ['65040:666:1'],
});

/** The standard set every daemon adapter's interop test announces and the receiver must hold. */
export const FLOW_RULES: readonly Rule[] = [v4RateLimit, v4Drop, v4Redirect, v6Drop, v6RateLimit];
export const RTBH_RULES: readonly Rule[] = [v4Blackhole, v6Blackhole];

/**
 * Scrubbing diversion (level 4): the covering /24 with the operator's communities and next hop
 * (mitigation.scrubbing.nextHop; gobgpd drops routes whose next hop is a loopback address, so next-hop self
 * cannot be shown on this rig's 127/8 addresses).
 */
export const v4Scrub = makeRule({
  id: 'r4-scrub',
  target: '203.0.113.0/24',
  intent: 'scrubbing',
  communities: ['65040:4'],
  largeCommunities: ['65040:4:1'],
  nextHop: '100.64.0.2',
});

/** IPv6 diversion of the covering /48 towards an explicit next hop (the scrubbing centre's tunnel end). */
export const v6Scrub = makeRule({
  id: 'r6-scrub',
  target: '2001:db8::/48',
  intent: 'scrubbing',
  communities: ['65040:4'],
  nextHop: '2001:db8:ffff::1',
});

export const DIVERSION_RULES: readonly Rule[] = [v4Scrub, v6Scrub];
