import { describe, expect, it } from 'vitest';
import { frrConfigSchema } from '../config-daemons.js';
import {
  makeRule,
  v4Blackhole,
  v4RateLimit,
  v6Blackhole,
} from '../../../test/adapters/daemons/harness/rules.js';
import { eq } from '../../../test/support/rules.js';
import { renderFrr, renderFrrBase } from './render.js';

const cfg = frrConfigSchema.parse({ asn: 65040 });
const discard = [{ kind: 'traffic-rate-bytes' as const, asn: 0, bytesPerSecond: 0 }];

describe('FRR renderer', () => {
  it('renders RTBH as a tagged static plus a route-map entry, withdrawing the route first', () => {
    expect(renderFrr(v4Blackhole, 100, cfg)).toEqual({
      kind: 'rtbh',
      announce: [
        'route-map FLOODGATE-RTBH permit 100',
        ' description floodgate rule r4-rtbh',
        ' match tag 100',
        ' set community 65535:666 65535:65281 65040:7',
        ' set large-community 65040:666:1',
        ' set ip next-hop 100.64.0.1',
        'exit',
        'ip route 203.0.113.12/32 blackhole tag 100',
      ],
      withdraw: ['no ip route 203.0.113.12/32 blackhole tag 100', 'no route-map FLOODGATE-RTBH permit 100'],
    });
    const v6 = renderFrr(v6Blackhole, 7, cfg);
    expect(v6.announce).toContain(' set ipv6 next-hop global 100::1');
    expect(v6.announce.at(-1)).toBe('ipv6 route 2001:db8::12/128 blackhole tag 7');
  });

  it('renders a drop as a pbr-map entry to the discard next hop', () => {
    const r = makeRule({
      id: 'p',
      target: '203.0.113.21/32',
      intent: 'drop',
      match: { source: { prefix: '198.51.100.0/24' }, ipProtocol: [eq(17)] },
      actions: discard,
    });
    expect(renderFrr(r, 3, cfg)).toEqual({
      kind: 'pbr',
      announce: [
        'pbr-map FLOODGATE seq 3',
        ' match dst-ip 203.0.113.21/32',
        ' match src-ip 198.51.100.0/24',
        ' match ip-protocol udp',
        ' set nexthop 100.64.0.1',
        'exit',
      ],
      withdraw: ['no pbr-map FLOODGATE seq 3'],
    });
    const withPorts = frrConfigSchema.parse({ pbrPortsAndDscp: true });
    const p = makeRule({
      id: 'q',
      target: '2001:db8::1/128',
      intent: 'drop',
      match: { ipProtocol: [eq(6)], destinationPort: [eq(443)], sourcePort: [eq(1)], dscp: [eq(10)] },
      actions: discard,
    });
    expect(renderFrr(p, 4, withPorts).announce).toEqual([
      'pbr-map FLOODGATE seq 4',
      ' match dst-ip 2001:db8::1/128',
      ' match ip-protocol tcp',
      ' match src-port 1',
      ' match dst-port 443',
      ' match dscp 10',
      ' set nexthop 100::1',
      'exit',
    ]);
  });

  it.each([
    [v4RateLimit, /cannot originate FlowSpec/],
    [
      makeRule({
        id: 'a',
        target: '203.0.113.1/32',
        intent: 'drop',
        match: { ipProtocol: [eq(1)] },
        actions: discard,
      }),
      /tcp or udp only/,
    ],
    [
      makeRule({
        id: 'b',
        target: '203.0.113.1/32',
        intent: 'drop',
        match: { ipProtocol: [eq(6), eq(17)] },
        actions: discard,
      }),
      /one exact/,
    ],
    [
      makeRule({
        id: 'c',
        target: '203.0.113.1/32',
        intent: 'drop',
        match: { destinationPort: [eq(80)] },
        actions: discard,
      }),
      /pbrPortsAndDscp/,
    ],
    [
      makeRule({
        id: 'd',
        target: '203.0.113.1/32',
        intent: 'drop',
        match: { icmpType: [eq(8)] },
        actions: discard,
      }),
      /cannot match icmpType/,
    ],
    [
      makeRule({
        id: 'e',
        target: '203.0.113.1/32',
        intent: 'drop',
        actions: [{ kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 5 }],
      }),
      /only drop/,
    ],
    [{ ...v4Blackhole, peers: ['127.0.0.1'] }, /cannot restrict/],
  ])('refuses %# instead of approximating', (rule, msg) => {
    expect(() => renderFrr(rule, 1, cfg)).toThrow(msg);
  });

  it('renders the idempotent base config', () => {
    expect(renderFrrBase({ ...cfg, pbr: true })).toEqual([
      'router bgp 65040',
      ' address-family ipv4 unicast',
      '  redistribute static route-map FLOODGATE-RTBH',
      ' exit-address-family',
      ' address-family ipv6 unicast',
      '  redistribute static route-map FLOODGATE-RTBH',
      ' exit-address-family',
      'exit',
      'ip route 100.64.0.1/32 blackhole',
      'ipv6 route 100::1/128 blackhole',
    ]);
  });
});
