import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbMatch } from '../../test/flowspec/arbitraries.js';
import { eq, match as m } from '../../test/support/rules.js';
import { FlowSpecEncodeError } from './errors.js';
import { tryEncodeFlowSpecNlri } from './nlri.js';
import type { FlowSpecMatch } from './types.js';
import { isValidFlowSpec, validateFlowSpec } from './validate.js';

const reasons = (x: FlowSpecMatch): string[] => validateFlowSpec(x).map((i) => i.reason);

describe('validateFlowSpec reason codes', () => {
  // name | match | reasons
  const CASES: readonly (readonly [string, FlowSpecMatch, readonly string[]])[] = [
    ['valid v4 rule', m('flow4 dst 203.0.113.5/32 proto =17 dport =53 len >=1000&<=1500'), []],
    ['valid v6 rule', m('flow6 dst 2001:db8::/64 src 0:1::/32 offset 16 flow-label =5 frag is-fragment'), []],
    ['empty match (matches everything)', { family: 4 }, ['empty-match']],
    ['bad family', { family: 5 } as unknown as FlowSpecMatch, ['bad-family']],
    [
      'unknown key',
      { family: 4, ipProtocol: [eq(6)], vlan: [eq(1)] } as unknown as FlowSpecMatch,
      ['unknown-component'],
    ],
    ['flow label on IPv4', { family: 4, flowLabel: [eq(1)] }, ['component-not-in-family']],
    ['offset on IPv4', { family: 4, destination: { prefix: '10.0.0.0/8', offset: 4 } }, ['offset-invalid']],
    [
      'offset not below length',
      { family: 6, destination: { prefix: '::/64', offset: 64 } },
      ['offset-invalid'],
    ],
    [
      'bits before offset',
      { family: 6, destination: { prefix: '2001:db8::/64', offset: 16 } },
      ['offset-invalid'],
    ],
    ['prefix /33', { family: 4, destination: { prefix: '10.0.0.0/33' } }, ['prefix-invalid']],
    ['prefix /129', { family: 6, destination: { prefix: '::/129' } }, ['prefix-invalid']],
    ['host bits set', { family: 4, destination: { prefix: '10.0.0.1/8' } }, ['prefix-invalid']],
    ['wrong family prefix', { family: 6, source: { prefix: '10.0.0.0/8' } }, ['prefix-invalid']],
    [
      'non-canonical prefix text',
      { family: 6, destination: { prefix: '2001:DB8::/32' } },
      ['prefix-not-canonical'],
    ],
    ['empty term list', { family: 4, dscp: [] }, ['empty-component']],
    ['first term with AND bit', { family: 4, dscp: [eq(1, true)] }, ['first-term-and']],
    ['port 65536', { family: 4, destinationPort: [eq(65536)] }, ['value-out-of-range']],
    ['protocol 256', { family: 4, ipProtocol: [eq(256)] }, ['value-out-of-range']],
    ['dscp 64', { family: 4, dscp: [eq(64)] }, ['value-out-of-range']],
    ['packet length 65536', { family: 4, packetLength: [eq(65536)] }, ['value-out-of-range']],
    ['flow label 2^20', { family: 6, flowLabel: [eq(0x100000)] }, ['value-out-of-range']],
    ['icmp type 256', { family: 4, icmpType: [eq(256)] }, ['value-out-of-range']],
    [
      'tcp flags over 2 octets',
      { family: 4, tcpFlags: [{ and: false, not: false, match: true, value: 0x10000 }] },
      ['value-out-of-range'],
    ],
    ['negative value', { family: 4, dscp: [eq(-1)] }, ['value-not-integer']],
    ['fractional value', { family: 4, dscp: [eq(1.5)] }, ['value-not-integer']],
    ['DF in IPv6', m('flow6 frag dont-fragment'), ['fragment-bits-invalid']],
    [
      'undefined fragment bit',
      { family: 4, fragment: [{ and: false, not: false, match: false, value: 0x10 }] },
      ['fragment-bits-invalid'],
    ],
    ['>10&<5', m('flow4 dport >10&<5'), ['terms-never-match']],
    ['false: term', m('flow4 dport false:1'), ['terms-never-match']],
    ['dead AND branch next to a live one', m('flow4 dport =80|>10&<5'), ['terms-never-match']],
    ['>65535 on a port', m('flow4 dport >65535'), ['terms-never-match']],
    ['=1&=2', m('flow4 proto =6&=17'), ['terms-never-match']],
    ['>=10&<=10 matches 10', m('flow4 dport >=10&<=10'), []],
    ['!=5&!=6 matches', m('flow4 dport !=5&!=6'), []],
    ['SYN set and SYN clear', m('flow4 tcp-flags =syn&!syn'), ['terms-never-match']],
    ['all of syn+ack and none of ack', m('flow4 tcp-flags =syn+ack&!ack'), ['terms-never-match']],
    ['any bit of 0x0', m('flow4 tcp-flags 0x0'), ['terms-never-match']],
    ['not all of syn+ack and any of syn', m('flow4 tcp-flags !=syn+ack&syn'), []],
    ['ICMP type and port', m('flow4 dport =53 icmp-type =8'), ['components-never-match']],
    ['ICMP code with proto UDP only', m('flow4 proto =17 icmp-code =0'), ['components-never-match']],
    ['ICMPv6 type with next-header 58', m('flow6 next-header =58 icmp-type =128'), []],
    ['ICMPv4 type with proto 58', m('flow4 proto =58 icmp-type =8'), ['components-never-match']],
    ['ports with proto ICMP', m('flow4 proto =1 dport =53'), ['components-never-match']],
    ['ports with proto UDP or ICMP', m('flow4 proto =1|=17 dport =53'), []],
    ['TCP flags with proto UDP', m('flow4 proto =17 tcp-flags =syn'), ['components-never-match']],
    ['TCP flags with proto >=6&<=17', m('flow4 proto >=6&<=17 tcp-flags =syn'), []],
    ['dead bitmask AND branch', m('flow4 frag is-fragment|=is-fragment&!is-fragment'), ['terms-never-match']],
  ];
  it.each(CASES)('%s', (_n, match, expected) => {
    expect(reasons(match)).toEqual(expected);
  });

  it('reports the NLRI length limit (4095 octets) without shortening', () => {
    const terms = Array.from({ length: 2100 }, (_, i) => eq(i & 0xff, false));
    const big: FlowSpecMatch = { family: 4, destinationPort: terms };
    expect(reasons(big)).toEqual(['nlri-too-long']);
    expect(big.destinationPort).toHaveLength(2100);
  });

  it('reports several problems at once, with component and term', () => {
    const issues = validateFlowSpec({ family: 4, ipProtocol: [eq(1), eq(300)], dscp: [eq(1, true)] });
    expect(issues).toEqual([
      expect.objectContaining({ reason: 'value-out-of-range', component: 'ipProtocol', term: 1 }),
      expect.objectContaining({ reason: 'first-term-and', component: 'dscp', term: 0 }),
    ]);
  });

  it('never changes the match it checks', () => {
    fc.assert(
      fc.property(arbMatch(), (x) => {
        const before = JSON.stringify(x);
        validateFlowSpec(x);
        expect(JSON.stringify(x)).toBe(before);
      }),
      { numRuns: 300 },
    );
  });

  it('a match it accepts always encodes', () => {
    fc.assert(
      fc.property(arbMatch(), (x) => {
        if (isValidFlowSpec(x)) expect(tryEncodeFlowSpecNlri(x)).not.toBeInstanceOf(FlowSpecEncodeError);
      }),
      { numRuns: 1000 },
    );
  });
});
