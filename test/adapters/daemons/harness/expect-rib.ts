// Field-by-field checks of what the receiving gobgpd holds against the Rule that was sent. Expected
// values are computed here from the Rule and RFC 8955 directly (operator byte with end-of-list, AND and
// value-length bits), not from any adapter renderer.
import { expect } from 'vitest';
import type { ListedPath } from '../../../../src/adapters/gobgp/client.js';
import type { AnyMessage } from '../../../../src/adapters/gobgp/proto.js';
import type { Rule } from '../../../../src/domain/rule.js';
import type { BitmaskTerm, NumericTerm } from '../../../../src/flowspec/types.js';

const lenBits = (v: number): number => (v < 0x100 ? 0x00 : v < 0x10000 ? 0x10 : 0x20);

function numericOps(list: readonly NumericTerm[]): { op: number; value: number }[] {
  return list.map((t, i) => ({
    op:
      (i === list.length - 1 ? 0x80 : 0) |
      (i > 0 && t.and ? 0x40 : 0) |
      lenBits(t.value) |
      (t.lt ? 4 : 0) |
      (t.gt ? 2 : 0) |
      (t.eq ? 1 : 0),
    value: t.value,
  }));
}

function bitmaskOps(list: readonly BitmaskTerm[]): { op: number; value: number }[] {
  return list.map((t, i) => ({
    op:
      (i === list.length - 1 ? 0x80 : 0) |
      (i > 0 && t.and ? 0x40 : 0) |
      lenBits(t.value) |
      (t.not ? 2 : 0) |
      (t.match ? 1 : 0),
    value: t.value,
  }));
}

function prefixParts(text: string): { prefix: string; prefix_len: number } {
  const [a, l] = text.split('/');
  return { prefix: a as string, prefix_len: Number(l) };
}

export function expectedComponents(rule: Rule): unknown[] {
  const m = rule.match;
  const out: unknown[] = [];
  const num = (type: number, l?: readonly NumericTerm[]): void => {
    if (l) out.push({ '@type': 'FlowSpecComponent', type, items: numericOps(l) });
  };
  const bits = (type: number, l?: readonly BitmaskTerm[]): void => {
    if (l) out.push({ '@type': 'FlowSpecComponent', type, items: bitmaskOps(l) });
  };
  if (m.destination)
    out.push({
      '@type': 'FlowSpecIPPrefix',
      type: 1,
      ...prefixParts(m.destination.prefix),
      offset: m.destination.offset ?? 0,
    });
  if (m.source)
    out.push({
      '@type': 'FlowSpecIPPrefix',
      type: 2,
      ...prefixParts(m.source.prefix),
      offset: m.source.offset ?? 0,
    });
  num(3, m.ipProtocol);
  num(4, m.port);
  num(5, m.destinationPort);
  num(6, m.sourcePort);
  num(7, m.icmpType);
  num(8, m.icmpCode);
  bits(9, m.tcpFlags);
  num(10, m.packetLength);
  num(11, m.dscp);
  bits(12, m.fragment);
  num(13, m.flowLabel);
  return out;
}

export function expectedExtCommunities(rule: Rule): unknown[] {
  return rule.actions.map((a) => {
    switch (a.kind) {
      case 'traffic-rate-bytes':
        return { '@type': 'TrafficRateExtended', asn: a.asn, rate: a.bytesPerSecond };
      case 'redirect-vrf': {
        const [asn, local] = a.routeTarget.split(':').map(Number);
        return { '@type': 'RedirectTwoOctetAsSpecificExtended', asn, local_admin: local };
      }
      case 'traffic-action':
        return { '@type': 'TrafficActionExtended', terminal: a.terminal, sample: a.sample };
      case 'traffic-marking':
        return { '@type': 'TrafficRemarkExtended', dscp: a.dscp };
      default:
        throw new Error(`no expectation for ${a.kind}`);
    }
  });
}

const attr = (p: ListedPath, type: string): AnyMessage | undefined =>
  p.pattrs.find((a) => a['@type'] === type);

function destinationOf(p: ListedPath): string | undefined {
  const rules = (p.nlri.rules as AnyMessage[] | undefined) ?? [];
  const d = rules.find((r) => r['@type'] === 'FlowSpecIPPrefix' && r.type === 1);
  return d ? `${String(d.prefix)}/${String(d.prefix_len)}` : undefined;
}

export function findFlow(paths: readonly ListedPath[], rule: Rule): ListedPath | undefined {
  return paths.find((p) => destinationOf(p) === rule.target);
}

export function findUnicast(paths: readonly ListedPath[], rule: Rule): ListedPath | undefined {
  return paths.find((p) => p.prefix === rule.target);
}

/** Every NLRI component and every action of the rule, in order, nothing more. */
export function expectFlowPath(p: ListedPath | undefined, rule: Rule): void {
  expect(p, `FlowSpec route for ${rule.id} at the receiver`).toBeDefined();
  const path = p as ListedPath;
  expect(path.nlri['@type']).toBe('FlowSpecNLRI');
  expect(path.nlri.rules).toEqual(expectedComponents(rule));
  const ext = attr(path, 'ExtendedCommunitiesAttribute');
  expect(ext?.communities).toEqual(expectedExtCommunities(rule));
}

const community = (text: string): number => {
  const [a, b] = text.split(':').map(Number);
  return (a as number) * 65536 + (b as number);
};

/** Prefix, next hop (when the adapter sets one) and exactly these communities / large communities. */
export function expectRtbhPath(
  p: ListedPath | undefined,
  rule: Rule,
  want: { nextHop?: string; communities: string[]; largeCommunities: string[] },
): void {
  expect(p, `RTBH route for ${rule.id} at the receiver`).toBeDefined();
  const path = p as ListedPath;
  expect(path.nlri).toMatchObject({
    '@type': 'IPAddressPrefix',
    prefix: rule.target.split('/')[0],
    prefix_len: Number(rule.target.split('/')[1]),
  });
  if (want.nextHop) {
    const nh =
      attr(path, 'NextHopAttribute')?.next_hop ??
      (attr(path, 'MpReachNLRIAttribute')?.next_hops as string[] | undefined)?.[0];
    expect(nh).toBe(want.nextHop);
  }
  const comms = (attr(path, 'CommunitiesAttribute')?.communities as number[] | undefined) ?? [];
  expect([...comms].sort((a, b) => a - b)).toEqual(want.communities.map(community).sort((a, b) => a - b));
  const large =
    (attr(path, 'LargeCommunitiesAttribute')?.communities as
      { global_admin: number; local_data1: number; local_data2: number }[] | undefined) ?? [];
  expect(large.map((l) => `${l.global_admin}:${l.local_data1}:${l.local_data2}`).sort()).toEqual(
    [...want.largeCommunities].sort(),
  );
}

export const FS4 = { afi: 'AFI_IP', safi: 'SAFI_FLOW_SPEC_UNICAST' } as const;
export const FS6 = { afi: 'AFI_IP6', safi: 'SAFI_FLOW_SPEC_UNICAST' } as const;
export const UC4 = { afi: 'AFI_IP', safi: 'SAFI_UNICAST' } as const;
export const UC6 = { afi: 'AFI_IP6', safi: 'SAFI_UNICAST' } as const;
