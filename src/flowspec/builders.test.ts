import { describe, expect, it } from 'vitest';
import {
  fragmentMatch,
  matchFromSignature,
  numericEq,
  numericRange,
  prefixComponent,
  tcpFlagsMatch,
} from './builders.js';
import { formatFlowSpec } from './text.js';
import { validateFlowSpec } from './validate.js';

describe('builders', () => {
  it('numericEq and numericRange', () => {
    expect(formatFlowSpec({ family: 4, destinationPort: numericEq([53, 123, 53]) })).toBe(
      'flow4 dport =53|=123',
    );
    expect(formatFlowSpec({ family: 4, packetLength: numericRange(1000, 1500) })).toBe(
      'flow4 len >=1000&<=1500',
    );
    expect(formatFlowSpec({ family: 4, packetLength: numericRange(64, 64) })).toBe('flow4 len =64');
    expect(() => numericRange(5, 4)).toThrow(RangeError);
    expect(() => numericEq([])).toThrow(RangeError);
  });

  it('tcpFlagsMatch and fragmentMatch', () => {
    expect(formatFlowSpec({ family: 4, tcpFlags: tcpFlagsMatch(['syn'], ['ack']) })).toBe(
      'flow4 tcp-flags =syn&!ack',
    );
    expect(formatFlowSpec({ family: 4, tcpFlags: tcpFlagsMatch(0x12) })).toBe('flow4 tcp-flags =syn+ack');
    expect(formatFlowSpec({ family: 6, fragment: fragmentMatch(['is-fragment']) })).toBe(
      'flow6 frag is-fragment',
    );
    expect(
      formatFlowSpec({
        family: 4,
        fragment: fragmentMatch(['first-fragment', 'last-fragment'], 'all', true),
      }),
    ).toBe('flow4 frag !=first-fragment+last-fragment');
  });

  it('prefixComponent canonicalises and refuses host bits', () => {
    expect(prefixComponent('2001:DB8::1')).toEqual({ prefix: '2001:db8::1/128' });
    expect(prefixComponent('0:1::/32', 16)).toEqual({ prefix: '0:1::/32', offset: 16 });
    expect(() => prefixComponent('10.0.0.1/8')).toThrow();
  });

  it('matchFromSignature: one valid match per dominant source prefix, nothing dropped', () => {
    const ms = matchFromSignature(4, '203.0.113.5/32', {
      protocols: [17],
      sourcePorts: [53],
      packetLength: { min: 512, max: 1500 },
      fragment: true,
      sourcePrefixes: ['198.18.0.0/24', '198.19.0.0/24'],
      coverage: 0.9,
    });
    expect(ms.map(formatFlowSpec)).toEqual([
      'flow4 dst 203.0.113.5/32 src 198.18.0.0/24 proto =17 sport =53 len >=512&<=1500 frag is-fragment',
      'flow4 dst 203.0.113.5/32 src 198.19.0.0/24 proto =17 sport =53 len >=512&<=1500 frag is-fragment',
    ]);
    for (const m of ms) expect(validateFlowSpec(m)).toEqual([]);
    const syn = matchFromSignature(6, '2001:db8::5', {
      protocols: [6],
      destinationPorts: [443],
      tcpFlags: 0x02,
      coverage: 1,
    });
    expect(syn.map(formatFlowSpec)).toEqual([
      'flow6 dst 2001:db8::5/128 next-header =6 dport =443 tcp-flags =syn',
    ]);
  });
});
