import { describe, expect, it } from 'vitest';
import { rtbhSchema } from '../config-daemons.js';
import { RenderError } from '../daemons-common/errors.js';
import {
  makeRule,
  v4Blackhole,
  v4Drop,
  v4RateLimit,
  v4Redirect,
  v6Blackhole,
  v6Drop,
  v6RateLimit,
} from '../../../test/adapters/daemons/harness/rules.js';
import { renderAction, renderExabgp } from './render.js';

const opts = { rtbh: rtbhSchema.parse({}) };
const announce = (r: Parameters<typeof renderExabgp>[0]): string => renderExabgp(r, opts).announce;

describe('ExaBGP renderer', () => {
  it.each([
    [
      v4RateLimit,
      'announce flow route { match { destination 203.0.113.10/32; protocol =17; destination-port [ =53 >=1024&<=2048 ]; source-port =123; packet-length >400; } then { rate-limit 12500000; } }',
    ],
    [
      v4Drop,
      'announce flow route { match { destination 203.0.113.11/32; source 198.51.100.0/24; protocol =6; port [ =80 =443 ]; tcp-flags =2&!16; dscp =46; fragment !2; } then { discard; } }',
    ],
    [
      v4Redirect,
      'announce flow route { match { destination 203.0.113.13/32; protocol =1; icmp-type =8; icmp-code =0; } then { redirect 65040:100; } }',
    ],
    [
      v6Drop,
      'announce flow route { match { destination 2001:db8::10/128; next-header =58; icmp-type =128; icmp-code =0; packet-length >=1000; } then { discard; } }',
    ],
    [
      v6RateLimit,
      'announce flow route { match { destination 2001:db8::11/128; next-header =17; source-port =53; flow-label =5; } then { rate-limit 1250000; } }',
    ],
    [
      v4Blackhole,
      'announce route 203.0.113.12/32 next-hop 100.64.0.1 community [ 65535:666 65535:65281 65040:7 ] large-community [ 65040:666:1 ]',
    ],
    [
      v6Blackhole,
      'announce route 2001:db8::12/128 next-hop 100::1 community [ 65535:666 65535:65281 65040:7 ] large-community [ 65040:666:1 ]',
    ],
  ])('renders %s exactly', (rule, text) => {
    expect(announce(rule)).toBe(text);
    expect(renderExabgp(rule, opts).withdraw).toBe(text.replace(/^announce/, 'withdraw'));
  });

  it('spells every numeric operator and the IPv6 offset/traffic-class forms', () => {
    const all8 = [0, 1, 2, 3, 4, 5, 6, 7].map((b, i) => ({
      and: i % 2 === 1,
      lt: (b & 4) > 0,
      gt: (b & 2) > 0,
      eq: (b & 1) > 0,
      value: 10 + i,
    }));
    const r = makeRule({
      id: 'ops',
      target: '2001:db8::/64',
      intent: 'drop',
      match: { destination: { prefix: '2001:db8::/64', offset: 8 }, packetLength: all8, dscp: [all8[1]!] },
      actions: [{ kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 0 }],
    });
    expect(announce(r)).toBe(
      'announce flow route { match { destination 2001:db8::/64/8; packet-length [ false10&=11 >12&>=13 <14&<=15 !=16&true17 ]; traffic-class =11; } then { discard; } }',
    );
  });

  it('uses keywords where exact and raw extended communities otherwise', () => {
    expect(renderAction({ kind: 'traffic-action', terminal: true, sample: true })).toBe(
      'action sample-terminal',
    );
    expect(renderAction({ kind: 'traffic-action', terminal: false, sample: false })).toBe(
      'extended-community [ 0x8007000000000000 ]',
    );
    expect(renderAction({ kind: 'traffic-marking', dscp: 10 })).toBe('mark 10');
    expect(renderAction({ kind: 'traffic-rate-packets', asn: 0, packetsPerSecond: 10 })).toBe(
      'extended-community [ 0x800c000041200000 ]',
    );
    expect(renderAction({ kind: 'traffic-rate-bytes', asn: 65000, bytesPerSecond: 10000 })).toBe(
      'extended-community [ 0x8006fde8461c4000 ]',
    );
    expect(renderAction({ kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 1.5 })).toBe(
      'extended-community [ 0x800600003fc00000 ]',
    );
    expect(renderAction({ kind: 'redirect-vrf', routeTarget: '192.0.2.9:7' })).toBe(
      'extended-community [ 0x8108c00002090007 ]',
    );
    expect(renderAction({ kind: 'redirect-ip', nextHop: '198.51.100.1', copy: false })).toBe(
      'redirect-to-nexthop-ietf 198.51.100.1',
    );
    expect(renderAction({ kind: 'redirect-ip', nextHop: '198.51.100.1', copy: true })).toBe(
      'extended-community [ 0x010cc63364010001 ]',
    );
  });

  it('prefixes selective announcements with the neighbours', () => {
    expect(announce({ ...v4Blackhole, peers: ['127.0.0.1', '127.0.0.2'] })).toMatch(
      /^neighbor 127\.0\.0\.1, neighbor 127\.0\.0\.2 announce route 203\.0\.113\.12\/32 /,
    );
  });

  it('adds the rule communities to FlowSpec then-blocks and honours rtbh options', () => {
    expect(announce({ ...v4Drop, communities: ['65040:1'], largeCommunities: ['65040:1:2'] })).toMatch(
      /then \{ discard; community \[ 65040:1 \]; large-community \[ 65040:1:2 \]; \} \}$/,
    );
    const noNoExport = renderExabgp(v4Blackhole, {
      rtbh: rtbhSchema.parse({ noExport: false, extraCommunities: ['65040:9'] }),
    });
    expect(noNoExport.announce).toContain('community [ 65535:666 65040:7 65040:9 ]');
  });

  it.each([
    [{ ...v4Drop, intent: 'geo-lockdown' as const }, 'unsupported-intent'],
    [{ ...v4Drop, actions: [] }, 'missing-action'],
    [
      {
        ...v4Drop,
        match: { ...v4Drop.match, flowLabel: [{ and: false, lt: false, gt: false, eq: true, value: 1 }] },
      },
      'unsupported-component',
    ],
    [{ ...v4Blackhole, communities: ['65536:1'] }, 'bad-community'],
    [{ ...v4Blackhole, largeCommunities: ['1:2'] }, 'bad-community'],
    [{ ...v4Blackhole, target: '2001:db8::1/128' }, 'unsupported-family'],
    [{ ...v4Drop, match: { ...v4Drop.match, ipProtocol: [] } }, 'unsupported-component'],
  ])('refuses %# with a typed error', (rule, code) => {
    expect(() => renderExabgp(rule, opts)).toThrow(RenderError);
    try {
      renderExabgp(rule, opts);
    } catch (err) {
      expect((err as RenderError).code).toBe(code);
    }
  });
});
