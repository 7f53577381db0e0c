import { describe, expect, it } from 'vitest';
import { birdConfigSchema, rtbhSchema } from '../config-daemons.js';
import {
  makeRule,
  v4Blackhole,
  v4Drop,
  v4RateLimit,
  v4Redirect,
  v6Blackhole,
  v6RateLimit,
} from '../../../test/adapters/daemons/harness/rules.js';
import { all, eq } from '../../../test/support/rules.js';
import { decodeMarker, encodeMarker } from './adapter.js';
import { renderBirdInclude, renderBirdRoute } from './render.js';

const rtbh = rtbhSchema.parse({});

describe('BIRD renderer', () => {
  it.each([
    [
      v4RateLimit,
      'flow4',
      [
        'route flow4 { dst 203.0.113.10/32; proto = 17; dport = 53 || >= 1024 && <= 2048; sport = 123; length > 400; } {',
        '  bgp_ext_community.add((generic, 0x80060000, 0x4b3ebc20));',
        '};',
      ],
    ],
    [
      v4Drop,
      'flow4',
      [
        'route flow4 { dst 203.0.113.11/32; src 198.51.100.0/24; proto = 6; port = 80 || = 443; tcp flags 0x2/0x2 && 0x0/0x10; dscp = 46; fragment !is_fragment; } {',
        '  bgp_ext_community.add((generic, 0x80060000, 0x0));',
        '};',
      ],
    ],
    [
      v4Redirect,
      'flow4',
      [
        'route flow4 { dst 203.0.113.13/32; proto = 1; icmp type = 8; icmp code = 0; } {',
        '  bgp_ext_community.add((generic, 0x8008fe10, 0x64));',
        '};',
      ],
    ],
    [
      v6RateLimit,
      'flow6',
      [
        'route flow6 { dst 2001:db8::11/128; next header = 17; sport = 53; label = 5; } {',
        '  bgp_ext_community.add((generic, 0x80060000, 0x49989680));',
        '};',
      ],
    ],
    [
      v4Blackhole,
      'rtbh4',
      [
        'route 203.0.113.12/32 blackhole {',
        '  bgp_next_hop = 100.64.0.1;',
        '  bgp_community.add((65535, 666));',
        '  bgp_community.add((65535, 65281));',
        '  bgp_community.add((65040, 7));',
        '  bgp_large_community.add((65040, 666, 1));',
        '};',
      ],
    ],
  ])('renders %# exactly', (rule, slot, lines) => {
    expect(renderBirdRoute(rule, rtbh)).toEqual({ slot, text: lines.join('\n') });
  });

  it('renders IPv6 RTBH and prefix offsets', () => {
    expect(renderBirdRoute(v6Blackhole, rtbh).text.split('\n').slice(0, 2)).toEqual([
      'route 2001:db8::12/128 blackhole {',
      '  bgp_next_hop = 100::1;',
    ]);
    const off = makeRule({
      id: 'o',
      target: '2001:db8::/64',
      intent: 'drop',
      match: { destination: { prefix: '2001:db8::/64', offset: 4 }, fragment: [all(0x05)] },
      actions: [{ kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 0 }],
    });
    expect(renderBirdRoute(off, rtbh).text.split('\n')[0]).toBe(
      'route flow6 { dst 2001:db8::/64 offset 4; fragment dont_fragment && first_fragment; } {',
    );
  });

  it('expands a lone multi-bit any-of term and refuses it inside a list', () => {
    const any = (v: number, and = false) => ({ and, not: false, match: false, value: v });
    const base = {
      id: 'b',
      target: '203.0.113.1/32',
      intent: 'drop' as const,
      actions: [{ kind: 'traffic-rate-bytes' as const, asn: 0, bytesPerSecond: 0 }],
    };
    expect(renderBirdRoute(makeRule({ ...base, match: { tcpFlags: [any(0x03)] } }), rtbh).text).toContain(
      'tcp flags 0x1/0x1 || 0x2/0x2;',
    );
    expect(() =>
      renderBirdRoute(makeRule({ ...base, match: { tcpFlags: [any(0x03), all(0x10, true)] } }), rtbh),
    ).toThrow(/multi-bit/);
    const t = { and: false, lt: true, gt: true, eq: true, value: 1 };
    expect(() => renderBirdRoute(makeRule({ ...base, match: { ipProtocol: [t] } }), rtbh)).toThrow(
      /true\/false/,
    );
    expect(() => renderBirdRoute({ ...v4Blackhole, peers: ['127.0.0.1'] }, rtbh)).toThrow(/cannot restrict/);
    expect(renderBirdRoute(makeRule({ ...base, match: { ipProtocol: [eq(6)] } }), rtbh).slot).toBe('flow4');
  });

  it('writes all four protocols with rule markers that decode back to the rule', () => {
    const cfg = birdConfigSchema.parse({});
    const text = renderBirdInclude(
      [
        {
          ruleId: v4Blackhole.id,
          marker: encodeMarker(v4Blackhole),
          route: renderBirdRoute(v4Blackhole, rtbh),
        },
      ],
      cfg,
    );
    const lines = text.split('\n');
    expect(lines.filter((l) => l.startsWith('protocol static'))).toEqual([
      'protocol static floodgate_flow4 {',
      'protocol static floodgate_flow6 {',
      'protocol static floodgate_rtbh4 {',
      'protocol static floodgate_rtbh6 {',
    ]);
    expect(text).toContain('  ipv4 { table master4; };\n  # floodgate-rule ');
    expect(text).toContain('\n    bgp_next_hop = 100.64.0.1;\n');
    const marker = lines.find((l) => l.includes('# floodgate-rule '))!.split('# floodgate-rule ')[1]!;
    expect(decodeMarker(marker)).toEqual(v4Blackhole);
  });
});
