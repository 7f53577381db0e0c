import { describe, expect, it } from 'vitest';
import { makeRule } from '../../../test/adapters/services/rule-fixture.js';
import { eq } from '../../../test/support/rules.js';
import { objectPrefix, render, ruleTag } from './render.js';
import { parseTable } from './ruleset.js';

const opts = { table: 'floodgate', prerouting: -300, synproxyMss: 1460, synproxyWscale: 7 };

describe('local nftables renderer', () => {
  it('renders a drop with the signature, bounded by the target, tagged with the rule id', () => {
    const r = render(makeRule(), opts);
    expect(r.rules).toEqual([
      'add rule inet floodgate pre ip daddr 203.0.113.5/32 meta l4proto 17 th sport 53 counter drop comment "fg:r-0001 203.0.113.5/32 drop"',
    ]);
    expect(r.setup[1]).toBe(
      'add chain inet floodgate pre { type filter hook prerouting priority -300; policy accept; }',
    );
  });

  it('rate-limit shares one named limit across OR-ed alternatives (port = sport or dport)', () => {
    const r = render(
      makeRule({
        id: 'rl',
        intent: 'rate-limit',
        rateBytesPerSecond: 125_000,
        match: { family: 4, ipProtocol: [eq(17)], port: [eq(123)] },
      }),
      opts,
    );
    expect(r.objects).toEqual([
      `add limit inet floodgate ${objectPrefix('rl')}_lim { rate over 125000 bytes/second }`,
    ]);
    expect(r.rules).toHaveLength(2);
    expect(r.rules[0]).toContain('th sport 123 limit name');
    expect(r.rules[1]).toContain('th dport 123 limit name');
  });

  it('IPv6: ip6 daddr, icmpv6, flow label; fragment "is fragment" via the Fragment header', () => {
    const r = render(
      makeRule({
        target: '2001:db8::5/128',
        match: {
          family: 6,
          ipProtocol: [eq(58)],
          icmpType: [eq(128)],
          flowLabel: [eq(9)],
          fragment: [{ and: false, not: false, match: false, value: 2 }],
        },
      }),
      opts,
    );
    expect(r.rules[0]).toContain(
      'ip6 daddr 2001:db8::5/128 meta l4proto 58 icmpv6 type 128 exthdr frag exists ip6 flowlabel 9 counter drop',
    );
  });

  it('keeps sysctl previous values in the comments of syn-cookies and synproxy', () => {
    const sc = render(makeRule({ id: 'c', intent: 'syn-cookies', match: { family: 4 } }), {
      ...opts,
      sysctlPrev: { syncookies: '0' },
    });
    expect(sc.sysctls).toEqual([{ name: 'syncookies', key: 'net.ipv4.tcp_syncookies', value: '1' }]);
    expect(sc.rules[0]).toContain('comment "fg:c 203.0.113.5/32 syn-cookies prev:syncookies=0"');
    const sp = render(
      makeRule({ id: 'p', intent: 'synproxy', match: { family: 4, destinationPort: [eq(443)] } }),
      { ...opts, sysctlPrev: { tcploose: '1' } },
    );
    expect(sp.rules).toHaveLength(3);
    expect(sp.rules[0]).toContain(
      'pre ip daddr 203.0.113.5/32 meta l4proto 6 th dport 443 tcp flags syn notrack',
    );
    expect(sp.rules[1]).toContain(
      'ct state invalid,untracked synproxy mss 1460 wscale 7 timestamp sack-perm counter',
    );
    expect(sp.rules[2]).toContain('ct state invalid counter drop');
  });

  it('geo lockdown: an interval set of allowed networks and a saddr != @set drop', () => {
    const r = render(makeRule({ id: 'g', intent: 'geo-lockdown', allowCountries: ['DE'] }), {
      ...opts,
      geo: { v4: ['10.0.0.0/8'], v6: [] },
    });
    expect(r.objects).toEqual([
      `add set inet floodgate ${objectPrefix('g')}_geo { type ipv4_addr; flags interval; auto-merge; }`,
      `add element inet floodgate ${objectPrefix('g')}_geo { 10.0.0.0/8 }`,
    ]);
    expect(r.rules[0]).toContain(`ip saddr != @${objectPrefix('g')}_geo counter drop`);
  });

  it('never carries scrubbing: a diversion of the /24 would become a drop of every neighbour', () => {
    const r = makeRule({ intent: 'scrubbing', target: '203.0.113.0/24', match: { family: 4 } });
    expect(() => render(r, opts)).toThrow(/cannot carry "scrubbing"/);
  });

  it('fails closed: unsupported intents, unsafe ids, TCP-only intents on UDP, IPv6 offsets, missing rate', () => {
    expect(() => render(makeRule({ intent: 'vrf-redirect' }), opts)).toThrow(/vrf-redirect/);
    expect(() => ruleTag('x" ; flush ruleset')).toThrow(/unsafe/);
    expect(() => render(makeRule({ intent: 'synproxy' }), opts)).toThrow(/TCP only/);
    expect(() =>
      render(
        makeRule({
          target: '2001:db8::/64',
          match: { family: 6, source: { prefix: '2001:db8:1::/64', offset: 8 } },
        }),
        opts,
      ),
    ).toThrow(/offset/);
    expect(() => render(makeRule({ intent: 'rate-limit', actions: [] }), opts)).toThrow(/rateBytesPerSecond/);
    expect(() => render(makeRule({ intent: 'geo-lockdown', allowCountries: ['DE'] }), opts)).toThrow(/GeoIP/);
  });

  it('objectPrefix keeps ids that sanitise alike apart', () => {
    expect(objectPrefix('a-b')).not.toBe(objectPrefix('a_b'));
    expect(objectPrefix('a-b')).toMatch(/^fg_a_b_[0-9a-f]{6}$/);
  });
});

describe('parseTable (nft -j list table)', () => {
  it('groups tagged rules with handles, counters and sysctl previous values; ignores foreign rules', () => {
    const json = JSON.stringify({
      nftables: [
        { metainfo: { version: '1.0.6', json_schema_version: 1 } },
        { table: { family: 'inet', name: 'floodgate', handle: 2 } },
        { limit: { family: 'inet', name: 'fg_rl_abcdef_lim', table: 'floodgate', rate: 1, per: 'second' } },
        {
          rule: {
            chain: 'pre',
            handle: 3,
            comment: 'fg:r-1 203.0.113.5/32 drop',
            expr: [{ counter: { packets: 7, bytes: 420 } }, { drop: null }],
          },
        },
        {
          rule: {
            chain: 'in',
            handle: 9,
            comment: 'fg:r-2 203.0.113.6/32 syn-cookies prev:syncookies=0',
            expr: [{ counter: { packets: 2, bytes: 80 } }],
          },
        },
        { rule: { chain: 'in', handle: 10, comment: 'someone else', expr: [] } },
        { rule: { chain: 'in', handle: 11, expr: [] } },
      ],
    });
    const s = parseTable(json);
    expect(s.objects).toEqual([{ type: 'limit', name: 'fg_rl_abcdef_lim' }]);
    expect(s.rules.map((r) => [r.ruleId, r.chain, r.handle, r.packets, r.prev])).toEqual([
      ['r-1', 'pre', 3, 7, {}],
      ['r-2', 'in', 9, 2, { syncookies: '0' }],
    ]);
  });
});
