import { describe, expect, it } from 'vitest';
import { bgpPeerSchema, bgpConfigSchema } from './config.js';
import { renderRule } from './render.js';
import { hex } from './codec/bytes.js';
import { encodeFlowSpecAction, encodeFlowSpecNlri, encodeVpnFlowSpecNlri } from '../flowspec/index.js';
import { rule, rtbh } from '../../test/support/rules.js';

const defaults = bgpConfigSchema.parse({ discardNextHop: { ipv4: '100.64.0.1' } });
const peer = bgpPeerSchema.parse({ name: 'r1', address: '127.0.30.2', remoteAs: 65002 });

describe('render Rule → BGP route', () => {
  it('drop → FlowSpec with traffic-rate 0, empty MP next hop', () => {
    const r = rule('a', 'drop', 'flow4 dst 203.0.113.5/32 proto =17 sport =53');
    const out = renderRule(r, peer, defaults);
    expect(out.ok && out.route).toMatchObject({
      family: 'ipv4-flowspec',
      mpNextHop: new Uint8Array(0),
      communities: [],
    });
    if (!out.ok || !out.route) return;
    expect(hex(out.route.nlri)).toBe(hex(encodeFlowSpecNlri(r.match)));
    expect(out.route.extendedCommunities.map(hex)).toEqual(['8006000000000000']);
    expect(out.route.description).toBe('flow4 dst 203.0.113.5/32 proto =17 sport =53 then discard');
  });

  it('rate-limit → traffic-rate-bytes; vrf-redirect → redirect RT', () => {
    const rl = renderRule(
      rule('a', 'rate-limit', 'flow6 dst 2001:db8::5/128', { rateBytesPerSecond: 12500 }),
      peer,
      defaults,
    );
    expect(rl.ok && rl.route?.extendedCommunities.map(hex)).toEqual([
      hex(encodeFlowSpecAction({ kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 12500 })),
    ]);
    expect(rl.ok && rl.route?.family).toBe('ipv6-flowspec');
    const v = renderRule(
      rule('b', 'vrf-redirect', 'flow4 dst 203.0.113.5/32', { routeTarget: '65000:100' }),
      peer,
      defaults,
    );
    expect(v.ok && v.route?.extendedCommunities.map(hex)).toEqual(['8008fde800000064']);
    expect(renderRule(rule('c', 'rate-limit', 'flow4 dst 203.0.113.5/32'), peer, defaults)).toEqual({
      ok: false,
      error: 'rate-limit rule without rateBytesPerSecond',
    });
  });

  it('explicit actions win; redirect-ip puts the address in the MP_REACH next hop', () => {
    const r = rule('a', 'drop', 'flow4 dst 203.0.113.5/32', {
      actions: [
        { kind: 'redirect-ip', nextHop: '100.64.0.9', copy: false },
        { kind: 'traffic-marking', dscp: 10 },
      ],
    });
    const out = renderRule(r, peer, defaults);
    expect(out.ok && out.route && hex(out.route.mpNextHop ?? new Uint8Array())).toBe('64400009');
    expect(out.ok && out.route?.extendedCommunities).toHaveLength(2);
  });

  it('VPN FlowSpec when the peer has an RD and the family', () => {
    const p = bgpPeerSchema.parse({
      address: '127.0.30.2',
      remoteAs: 65002,
      families: ['ipv4-vpn-flowspec'],
      flowspecRd: '65030:100',
    });
    const r = rule('a', 'drop', 'flow4 dst 203.0.113.6/32');
    const out = renderRule(r, p, defaults);
    expect(out.ok && out.route?.family).toBe('ipv4-vpn-flowspec');
    expect(out.ok && out.route && hex(out.route.nlri)).toBe(hex(encodeVpnFlowSpecNlri('65030:100', r.match)));
  });

  it('RTBH: BLACKHOLE + NO_EXPORT (RFC 7999), discard next hop, rule communities', () => {
    const out = renderRule(
      rtbh('a', '203.0.113.7/32', { communities: ['65030:1'], largeCommunities: ['65030:666:1'] }),
      peer,
      defaults,
    );
    expect(out.ok && out.route).toMatchObject({
      family: 'ipv4-unicast',
      nextHop: '100.64.0.1',
      communities: [0xffff029a, 0xffffff01, 65030 * 65536 + 1],
      largeCommunities: [{ global: 65030, local1: 666, local2: 1 }],
    });
    const v6 = renderRule(rtbh('b', '2001:db8::7/128'), peer, defaults);
    expect(v6.ok && v6.route && hex(v6.route.mpNextHop ?? new Uint8Array())).toBe(
      '01000000000000000000000000000001',
    );
  });

  it('selective blackholing: rule.peers and per-peer communities', () => {
    const ixp = bgpPeerSchema.parse({
      name: 'ixp-rs',
      address: '127.0.30.9',
      remoteAs: 65009,
      rtbh: {
        nextHopIpv4: '100.64.0.66',
        communities: ['65535:666'],
        extraCommunities: ['0:65009'],
        largeCommunities: ['65009:666:0'],
      },
    });
    const r = rtbh('a', '203.0.113.7/32', { peers: ['ixp-rs'] });
    expect(renderRule(r, peer, defaults)).toEqual({
      ok: true,
      route: undefined,
      skipped: 'rule.peers excludes this peer',
    });
    const out = renderRule(r, ixp, defaults);
    expect(out.ok && out.route).toMatchObject({
      nextHop: '100.64.0.66',
      communities: [0xffff029a, 65009],
      largeCommunities: [{ global: 65009, local1: 666, local2: 0 }],
    });
  });

  it('fails closed on what BGP cannot carry', () => {
    expect(renderRule(rule('a', 'synproxy', 'flow4 dst 203.0.113.5/32'), peer, defaults)).toMatchObject({
      ok: false,
    });
    expect(renderRule(rtbh('a', '203.0.113.7/32', { communities: ['bogus'] }), peer, defaults)).toEqual({
      ok: false,
      error: 'invalid community "bogus"',
    });
    const v4only = bgpPeerSchema.parse({ address: '127.0.30.2', remoteAs: 1, families: ['ipv4-unicast'] });
    expect(renderRule(rule('a', 'drop', 'flow4 dst 203.0.113.5/32'), v4only, defaults)).toMatchObject({
      ok: true,
      route: undefined,
    });
  });
});

describe('bgp config schema', () => {
  it('fills defaults and documents keys', () => {
    const c = bgpConfigSchema.parse({});
    expect(c).toMatchObject({
      enabled: false,
      localAs: 65000,
      listen: { enabled: false, port: 179 },
      discardNextHop: { ipv6: '100::1' },
      peers: [],
    });
    expect(bgpConfigSchema.def.type).toBeDefined();
    expect(bgpPeerSchema.shape.holdTime.description).toMatch(/hold time/i);
  });
  it('rejects bad values with a path', () => {
    const r = bgpConfigSchema.safeParse({
      peers: [
        { address: '127.0.30.2', remoteAs: 1, holdTime: 2 },
        { address: 'x', remoteAs: 1 },
      ],
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(
      expect.arrayContaining(['peers.0.holdTime', 'peers.1.address']),
    );
    expect(
      bgpConfigSchema.safeParse({ peers: [{ address: '127.0.30.2', remoteAs: 1, passive: true }] }).success,
    ).toBe(false);
  });
});
