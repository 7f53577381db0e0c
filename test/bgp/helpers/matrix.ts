// The interop matrix: every FlowSpec component (IPv4 types 1-12, IPv6 types 1-13 incl. the prefix offset)
// and every action, plus RTBH with standard and large communities, for IPv4 and IPv6.
import type { Rule } from '../../../src/domain/rule.js';
import type { FlowSpecAction } from '../../../src/flowspec/types.js';
import { rule, rtbh } from '../../support/rules.js';

const a = (id: string, matchText: string, actions: FlowSpecAction[], extra: Partial<Rule> = {}): Rule =>
  rule(
    id,
    actions.length === 1 && actions[0]?.kind === 'traffic-rate-bytes' && actions[0].bytesPerSecond === 0
      ? 'drop'
      : 'rate-limit',
    matchText,
    { actions, ...extra },
  );

export const FLOW4: readonly Rule[] = [
  a('f4-src-proto', 'flow4 dst 203.0.113.10/32 src 198.51.100.0/24 proto =6', [
    { kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 0 },
  ]),
  a('f4-port', 'flow4 dst 203.0.113.11/32 proto =6 port =80|=443', [
    { kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 125000 },
  ]),
  a('f4-dport', 'flow4 dst 203.0.113.12/32 proto =17 dport >=1024&<=2048', [
    { kind: 'traffic-rate-packets', asn: 0, packetsPerSecond: 1000 },
  ]),
  a('f4-sport', 'flow4 dst 203.0.113.13/32 proto =17 sport =53', [
    { kind: 'traffic-action', terminal: true, sample: true },
  ]),
  a('f4-icmp', 'flow4 dst 203.0.113.14/32 proto =1 icmp-type =8 icmp-code =0', [
    { kind: 'redirect-vrf', routeTarget: '65030:100' },
  ]),
  a('f4-tcpflags', 'flow4 dst 203.0.113.15/32 proto =6 tcp-flags =syn&!ack', [
    { kind: 'traffic-marking', dscp: 10 },
  ]),
  a('f4-len', 'flow4 dst 203.0.113.16/32 len >=1000', [
    { kind: 'redirect-ip', nextHop: '100.64.0.9', copy: false },
  ]),
  a('f4-dscp', 'flow4 dst 203.0.113.17/32 dscp =46', [{ kind: 'redirect-vrf', routeTarget: '10.0.0.1:100' }]),
  a('f4-frag', 'flow4 dst 203.0.113.18/32 frag is-fragment', [
    { kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 0 },
  ]),
  a('f4-redirect-as4', 'flow4 dst 203.0.113.19/32 proto =6', [
    { kind: 'redirect-vrf', routeTarget: '4200000000:100' },
  ]),
];

export const FLOW6: readonly Rule[] = [
  a('f6-src-nh', 'flow6 dst 2001:db8::10/128 src 2001:db8:1::/48 next-header =17 dport =53', [
    { kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 0 },
  ]),
  a('f6-port', 'flow6 dst 2001:db8::11/128 port =80|=443', [
    { kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 125000 },
  ]),
  a('f6-sport', 'flow6 dst 2001:db8::12/128 next-header =17 sport >=1024&<=2048', [
    { kind: 'traffic-rate-packets', asn: 0, packetsPerSecond: 1000 },
  ]),
  a('f6-icmp', 'flow6 dst 2001:db8::13/128 next-header =58 icmp-type =128 icmp-code =0', [
    { kind: 'traffic-action', terminal: true, sample: false },
  ]),
  a('f6-tcpflags', 'flow6 dst 2001:db8::14/128 next-header =6 tcp-flags =syn&!ack', [
    { kind: 'traffic-marking', dscp: 46 },
  ]),
  a('f6-len', 'flow6 dst 2001:db8::15/128 len >=1000', [{ kind: 'redirect-vrf', routeTarget: '65030:100' }]),
  a('f6-dscp', 'flow6 dst 2001:db8::16/128 dscp =46', [
    { kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 0 },
  ]),
  a('f6-frag', 'flow6 dst 2001:db8::17/128 frag is-fragment', [
    { kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 0 },
  ]),
  a('f6-label', 'flow6 dst 2001:db8::18/128 flow-label =1234', [
    { kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 0 },
  ]),
  a('f6-offset', 'flow6 dst ::1234:5678:0:0/96 offset 64', [
    { kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 0 },
  ]),
];

export const RTBH: readonly Rule[] = [
  rtbh('bh4', '203.0.113.99/32', { communities: ['65030:9'], largeCommunities: ['65030:666:1'] }),
  rtbh('bh6', '2001:db8::99/128', { communities: ['65030:9'], largeCommunities: ['65030:666:1'] }),
];

export const ALL: readonly Rule[] = [...FLOW4, ...FLOW6, ...RTBH];

/** What a daemon cannot hold (found by the interop tests; see docs/bgp-interop.md). */
export const UNSUPPORTED: Readonly<Record<string, readonly string[]>> = {
  gobgpd: [],
  bird: [],
  // FRR 8.4 bgpd: "Bad flowspec format or NLRI options not supported" + session reset for a non-zero IPv6 offset.
  frr: ['f6-offset'],
  // ExaBGP 4.2.21 drops the session on the 4-octet-AS redirect extended community (0x8208), and reports an
  // UPDATE carrying a non-zero IPv6 prefix offset with its attributes but without the NLRI.
  exabgp: ['f4-redirect-as4', 'f6-offset'],
};

export function rulesFor(daemon: string): Rule[] {
  const skip = UNSUPPORTED[daemon] ?? [];
  return ALL.filter((r) => !skip.includes(r.id));
}
