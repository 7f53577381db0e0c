import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbMatch } from '../../test/flowspec/arbitraries.js';
import { isFlowSpecParseError } from './errors.js';
import { formatFlowSpec, parseFlowSpec } from './text.js';
import type { FlowSpecMatch } from './types.js';
import { match as ok } from '../../test/support/rules.js';

describe('FlowSpec text grammar', () => {
  it('parses the issue example and formats it canonically (type order, per-term match bits)', () => {
    const m = ok(
      'flow4 dst 203.0.113.5/32 src 198.18.0.0/24 proto =17 dport =53|=123 sport >=1024&<=65535 len >=1000&<=1500 tcp-flags match syn&!ack frag is-fragment dscp =46',
    );
    expect(formatFlowSpec(m)).toBe(
      'flow4 dst 203.0.113.5/32 src 198.18.0.0/24 proto =17 dport =53|=123 sport >=1024&<=65535 tcp-flags =syn&!=ack len >=1000&<=1500 dscp =46 frag is-fragment',
    );
    expect(m.tcpFlags).toEqual([
      { and: false, not: false, match: true, value: 0x02 },
      { and: true, not: true, match: true, value: 0x10 },
    ]);
    expect(m.destinationPort).toEqual([
      { and: false, lt: false, gt: false, eq: true, value: 53 },
      { and: false, lt: false, gt: false, eq: true, value: 123 },
    ]);
  });

  it('parses flow6 with offset, next-header and flow label; offset 0 is not written back', () => {
    const m = ok('flow6 dst 2001:db8::5/128 offset 0 next-header =17 flow-label =5');
    expect(m).toEqual({
      family: 6,
      destination: { prefix: '2001:db8::5/128' },
      ipProtocol: [{ and: false, lt: false, gt: false, eq: true, value: 17 }],
      flowLabel: [{ and: false, lt: false, gt: false, eq: true, value: 5 }],
    });
    expect(formatFlowSpec(m)).toBe('flow6 dst 2001:db8::5/128 next-header =17 flow-label =5');
    expect(formatFlowSpec(ok('flow6 src ::1234:5678:9a00:0/104 offset 64'))).toBe(
      'flow6 src ::1234:5678:9a00:0/104 offset 64',
    );
  });

  it('canonicalises addresses and host prefixes, accepts proto in flow6', () => {
    expect(formatFlowSpec(ok('flow6 dst 2001:DB8:0:0::1 proto =6'))).toBe(
      'flow6 dst 2001:db8::1/128 next-header =6',
    );
    expect(formatFlowSpec(ok('flow4   dst 192.0.2.1\tport =80 '))).toBe('flow4 dst 192.0.2.1/32 port =80');
  });

  it('writes flags by name when every bit has one, else in hex', () => {
    expect(formatFlowSpec(ok('flow4 tcp-flags syn+ack|0x100&!=0x0'))).toBe(
      'flow4 tcp-flags syn+ack|0x100&!=0x0',
    );
    expect(formatFlowSpec(ok('flow4 tcp-flags 0x12'))).toBe('flow4 tcp-flags syn+ack');
    expect(formatFlowSpec(ok('flow4 frag =dont-fragment+last-fragment'))).toBe(
      'flow4 frag =dont-fragment+last-fragment',
    );
  });

  // text | error code | position
  const BAD: readonly (readonly [string, string, number])[] = [
    ['', 'syntax', 0],
    ['flow5 dst 192.0.2.1', 'syntax', 0],
    ['flow4', 'empty-match', 5],
    ['flow4 dst', 'syntax', 9],
    ['flow4 dst 192.0.2.1/33', 'bad-prefix', 10],
    ['flow4 dst 10.0.0.1/8', 'bad-prefix', 10],
    ['flow4 dst 2001:db8::1', 'bad-prefix', 10],
    ['flow4 dst 10.0.0.0/8 offset 2', 'component-not-in-family', 21],
    ['flow6 dst 2001:db8::/64 offset 64', 'bad-prefix', 31],
    ['flow6 dst 2001:db8::/64 offset 32', 'bad-prefix', 31],
    ['flow4 flow-label =1', 'component-not-in-family', 6],
    ['flow4 color =1', 'unknown-keyword', 6],
    ['flow4 dport =1 dport =2', 'duplicate-component', 15],
    ['flow4 dport 80', 'syntax', 12],
    ['flow4 dport =80|', 'syntax', 16],
    ['flow4 dport =80&&=81', 'syntax', 16],
    ['flow4 dport =65536', 'bad-number', 13],
    ['flow4 dport =08', 'syntax', 14],
    ['flow4 dport =8x', 'syntax', 14],
    ['flow4 dscp =64', 'bad-number', 12],
    ['flow4 tcp-flags syn+foo', 'bad-flag', 20],
    ['flow4 tcp-flags 0x10000', 'bad-flag', 16],
    ['flow4 frag 0x10', 'bad-flag', 11],
    ['flow4 tcp-flags match', 'syntax', 21],
  ];
  it.each(BAD)('rejects %j', (text, code, position) => {
    const r = parseFlowSpec(text);
    expect(isFlowSpecParseError(r)).toBe(true);
    expect(r).toMatchObject({ error: code, position });
  });

  it('parse(format(m)) == m and format is a fixed point, for random matches', () => {
    fc.assert(
      fc.property(arbMatch(), (m) => {
        const text = formatFlowSpec(m);
        const back = parseFlowSpec(text);
        expect(back).toEqual(m);
        expect(formatFlowSpec(back as FlowSpecMatch)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('the parser never throws on random strings', () => {
    const alphabet = fc.constantFrom(
      ...'flow46 dstrcpo=<>!&|+:x0123456789abcdef./-ynkmatchgeuinlbl\t'.split(''),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: alphabet, maxLength: 60 }).map((s) => `flow4 ${s}`),
        ),
        (s) => {
          const r = parseFlowSpec(s);
          expect(typeof r).toBe('object');
        },
      ),
      { numRuns: 3000 },
    );
  });
});
