import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbMatch } from '../../test/flowspec/arbitraries.js';
import { FlowSpecEncodeError, isFlowSpecError, type FlowSpecError } from './errors.js';
import {
  MAX_NLRI_LENGTH,
  decodeFlowSpecNlri,
  decodeFlowSpecNlris,
  decodeVpnFlowSpecNlri,
  decodeVpnFlowSpecNlris,
  encodeFlowSpecNlri,
  encodeVpnFlowSpecNlri,
  tryEncodeFlowSpecNlri,
} from './nlri.js';
import { formatFlowSpec } from './text.js';
import type { FlowSpecMatch, NumericTerm } from './types.js';
import { match as parse } from '../../test/support/rules.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));

// name | hex (length prefix included) | canonical text
const VECTORS: readonly (readonly [string, string, string])[] = [
  // RFC 8955 §4.3 example 1: packets to 192.0.2.0/24 and TCP port 25.
  ['RFC 8955 ex.1', '0b 01 18 c0 00 02 03 81 06 04 81 19', 'flow4 dst 192.0.2.0/24 proto =6 port =25'],
  // RFC 8955 §4.3 example 2: to 192.0.2.0/24 from 203.0.113.0/24, port {range [137, 139] or 8080}.
  [
    'RFC 8955 ex.2',
    '12 01 18 c0 00 02 02 18 cb 00 71 04 03 89 45 8b 91 1f 90',
    'flow4 dst 192.0.2.0/24 src 203.0.113.0/24 port >=137&<=139|=8080',
  ],
  // RFC 8955 §4.3 example 3: to 192.0.2.1 and fragment {DF or FF}.
  [
    'RFC 8955 ex.3',
    '09 01 20 c0 00 02 01 0c 80 05',
    'flow4 dst 192.0.2.1/32 frag dont-fragment+first-fragment',
  ],
  // RFC 8956 §3.8 example 1: from ::1234:5678:9a00:0/64-104 to 2001:db8::/32, upper-layer TCP.
  [
    'RFC 8956 ex.1',
    '12 01 20 00 20 01 0d b8 02 68 40 12 34 56 78 9a 03 81 06',
    'flow6 dst 2001:db8::/32 src ::1234:5678:9a00:0/104 offset 64 next-header =6',
  ],
  // RFC 8956 §3.8 example 2: offset 65 shifts the pattern by one bit.
  [
    'RFC 8956 ex.2',
    '0f 01 20 00 20 01 0d b8 02 68 41 24 68 ac f1 34',
    'flow6 dst 2001:db8::/32 src ::1234:5678:9a00:0/104 offset 65',
  ],
  // BIRD's RFC 8956 §3.8.2 vector: the pattern starts right after offset 60, shifted by 4 bits.
  [
    'offset not on an octet boundary',
    '09 02 68 3c 11 23 45 67 89 80',
    'flow6 src ::1:1234:5678:9800:0/104 offset 60',
  ],
  // 0.0.0.0/0 carries no prefix octets; ::/0 offset 0 likewise (RFC 8956 §3.1).
  ['zero-length v4 prefix', '02 01 00', 'flow4 dst 0.0.0.0/0'],
  ['zero-length v6 prefix', '03 01 00 00', 'flow6 dst ::/0'],
  ['v4 /25 uses 4 octets', '06 01 19 c6 33 64 80', 'flow4 dst 198.51.100.128/25'],
  // Numeric widths: 1, 2 and 4 octets (flow label is the only 4-octet component, RFC 8956 §3.8).
  ['flow label 1 octet', '03 0d 81 ff', 'flow6 flow-label =255'],
  ['flow label 2 octets', '04 0d 91 01 00', 'flow6 flow-label =256'],
  ['flow label 4 octets', '06 0d a1 00 01 00 00', 'flow6 flow-label =65536'],
  ['flow label max', '06 0d a1 00 0f ff ff', 'flow6 flow-label =1048575'],
  // Operators: every lt/gt/eq combination, AND/OR, end-of-list only on the last term.
  [
    'all numeric operators',
    '11 05 00 01 01 01 42 01 43 01 04 01 05 01 06 01 87 01',
    'flow4 dport false:1|=1&>1&>=1|<1|<=1|!=1|true:1',
  ],
  ['tcp-flags SYN without ACK', '05 09 01 02 c2 10', 'flow4 tcp-flags =syn&!ack'],
  ['tcp-flags 2-octet value', '04 09 91 01 00', 'flow4 tcp-flags =0x100'],
  ['tcp-flags not-match', '05 09 03 02 80 10', 'flow4 tcp-flags !=syn|ack'],
  ['packet length range in 2 octets', '07 0a 13 03 e8 d5 05 dc', 'flow4 len >=1000&<=1500'],
  ['icmp type and code', '06 07 81 08 08 81 00', 'flow4 icmp-type =8 icmp-code =0'],
  [
    'every v4 type 3..12',
    '1e 03 81 11 04 81 35 05 81 35 06 81 35 07 81 03 08 81 03 09 81 02 0a 81 40 0b 81 2e 0c 81 02',
    'flow4 proto =17 port =53 dport =53 sport =53 icmp-type =3 icmp-code =3 tcp-flags =syn len =64 dscp =46 frag =is-fragment',
  ],
  ['fragment v6 last-fragment', '03 0c 81 08', 'flow6 frag =last-fragment'],
];

describe('FlowSpec NLRI wire vectors', () => {
  it.each(VECTORS)('%s', (_name, h, text) => {
    const m = parse(text);
    expect(formatFlowSpec(m)).toBe(text);
    expect(hex(encodeFlowSpecNlri(m))).toBe(h.replace(/\s+/g, ''));
    const d = decodeFlowSpecNlri(bytes(h), 0, m.family);
    expect(isFlowSpecError(d)).toBe(false);
    if (!isFlowSpecError(d)) {
      expect(d.match).toEqual(m);
      expect(d.length).toBe(bytes(h).length);
    }
  });
});

// name | hex | family | error code | action
const BAD: readonly (readonly [string, string, 4 | 6, string, string])[] = [
  ['no length octet', '', 4, 'length-truncated', 'afi-safi-disable'],
  ['2-octet length cut', 'f0', 4, 'length-truncated', 'afi-safi-disable'],
  ['length past field', '05 01 18 c0 00', 4, 'length-exceeds-field', 'afi-safi-disable'],
  ['2-octet length past field', 'f1 00 01', 4, 'length-exceeds-field', 'afi-safi-disable'],
  ['empty NLRI', '00', 4, 'empty-nlri', 'treat-as-withdraw'],
  ['unknown type 0', '03 00 81 06', 4, 'unknown-component', 'treat-as-withdraw'],
  ['flow label in IPv4', '03 0d 81 05', 4, 'unknown-component', 'treat-as-withdraw'],
  ['unknown type 14 in IPv6', '03 0e 81 05', 6, 'unknown-component', 'treat-as-withdraw'],
  ['out of order', '06 05 81 35 04 81 35', 4, 'component-out-of-order', 'treat-as-withdraw'],
  ['duplicate', '06 05 81 35 05 81 35', 4, 'duplicate-component', 'treat-as-withdraw'],
  ['missing end-of-list', '03 05 01 35', 4, 'missing-end-of-list', 'treat-as-withdraw'],
  ['value cut', '03 05 91 00', 4, 'component-truncated', 'treat-as-withdraw'],
  ['prefix octets cut', '04 01 18 c0 00', 4, 'component-truncated', 'treat-as-withdraw'],
  ['prefix length missing', '01 01', 4, 'component-truncated', 'treat-as-withdraw'],
  ['v4 prefix /33', '07 01 21 c0 00 02 01 00', 4, 'prefix-length-invalid', 'treat-as-withdraw'],
  ['v6 prefix /129', '03 01 81 00', 6, 'prefix-length-invalid', 'treat-as-withdraw'],
  ['v6 offset = length', '04 01 08 08 00', 6, 'prefix-offset-invalid', 'treat-as-withdraw'],
  ['v6 offset > length', '04 01 08 09 00', 6, 'prefix-offset-invalid', 'treat-as-withdraw'],
  ['proto in 2 octets', '04 03 91 00 06', 4, 'value-width-not-allowed', 'treat-as-withdraw'],
  ['port in 4 octets', '06 05 a1 00 00 00 35', 4, 'value-width-not-allowed', 'treat-as-withdraw'],
  [
    'flow label in 8 octets',
    '0a 0d b1 00 00 00 00 00 00 00 05',
    6,
    'value-width-not-allowed',
    'treat-as-withdraw',
  ],
  ['fragment in 2 octets', '04 0c 91 00 02', 4, 'value-width-not-allowed', 'treat-as-withdraw'],
];

describe('FlowSpec NLRI malformed input (RFC 8955 §4.2, RFC 7606 §5.3)', () => {
  it.each(BAD)('%s', (_name, h, family, code, action) => {
    const buf = bytes(h);
    const d = decodeFlowSpecNlri(buf, 0, family);
    expect(isFlowSpecError(d)).toBe(true);
    const e = d as FlowSpecError;
    expect(e.error).toBe(code);
    expect(e.action).toBe(action);
    if (action === 'treat-as-withdraw') expect(e.nlriLength).toBe(buf.length);
  });

  it('ignores the AND bit on the first term and reserved operator bits (RFC 8955 §4.2.1.1/§4.2.1.2)', () => {
    // 0xc9: end + AND + reserved bit 3 + eq on the first term; bitmask 0x8d: end + reserved bits + match.
    const d = decodeFlowSpecNlri(bytes('06 05 c9 35 09 8d 02'), 0, 4);
    expect(d).toEqual({
      match: {
        family: 4,
        destinationPort: [{ and: false, lt: false, gt: false, eq: true, value: 53 }],
        tcpFlags: [{ and: false, not: false, match: true, value: 2 }],
      },
      length: 7,
    });
  });

  it('accepts a wider value than needed when the component allows it (port 25 in 2 octets)', () => {
    const d = decodeFlowSpecNlri(bytes('04 04 91 00 19'), 0, 4);
    expect(isFlowSpecError(d) ? d : formatFlowSpec(d.match)).toBe('flow4 port =25');
  });

  it('ignores set bits past the prefix length and padding (RFC 8956 §3.1)', () => {
    const d = decodeFlowSpecNlri(bytes('05 01 17 c0 00 03'), 0, 4);
    expect(isFlowSpecError(d) ? d : formatFlowSpec(d.match)).toBe('flow4 dst 192.0.2.0/23');
  });
});

/** A flow6 match whose NLRI value is exactly `len` octets (len >= 2): a dst ::/0 plus flow label terms. */
function matchOfLength(len: number): FlowSpecMatch {
  if (len === 2) return { family: 4, destination: { prefix: '0.0.0.0/0' } };
  if (len === 3) return { family: 6, destination: { prefix: '::/0' } };
  // 1 type octet + terms of 2, 3 or 5 octets (1-, 2-, 4-octet values).
  const terms: NumericTerm[] = [];
  let rest = len - 1;
  const term = (value: number): NumericTerm => ({ and: false, lt: false, gt: false, eq: true, value });
  while (rest > 0) {
    if (rest >= 10 || rest === 5) {
      terms.push(term(0x10000));
      rest -= 5;
    } else if (rest === 3 || rest === 6 || rest === 8 || rest === 9) {
      terms.push(term(0x100));
      rest -= 3;
    } else {
      terms.push(term(1));
      rest -= 2;
    }
  }
  return { family: 6, flowLabel: terms };
}

describe('NLRI length boundaries 0..4095, both length forms (RFC 8955 §4.1)', () => {
  it('every value length encodes with the minimal prefix and decodes back', () => {
    for (let len = 2; len <= MAX_NLRI_LENGTH; len++) {
      const m = matchOfLength(len);
      const nlri = encodeFlowSpecNlri(m);
      const head = len < 240 ? 1 : 2;
      expect(nlri.length).toBe(head + len);
      if (head === 1) expect(nlri[0]).toBe(len);
      else expect([nlri[0], nlri[1]]).toEqual([0xf0 | (len >> 8), len & 0xff]);
      const d = decodeFlowSpecNlri(nlri, 0, m.family);
      if (isFlowSpecError(d)) throw new Error(`len ${len}: ${d.message}`);
      expect(d.length).toBe(nlri.length);
      // Deep equality is slow on ~800 terms: compare re-encoded bytes, and structures at the boundaries.
      if (len < 8 || (len > 236 && len < 244) || len > 4090) expect(d.match).toEqual(m);
      else if (hex(encodeFlowSpecNlri(d.match)) !== hex(nlri)) expect(d.match).toEqual(m);
    }
  });

  it('lengths 239, 240, 4095 sit on the form boundaries', () => {
    expect(hex(encodeFlowSpecNlri(matchOfLength(239)).subarray(0, 1))).toBe('ef');
    expect(hex(encodeFlowSpecNlri(matchOfLength(240)).subarray(0, 2))).toBe('f0f0');
    expect(hex(encodeFlowSpecNlri(matchOfLength(4095)).subarray(0, 2))).toBe('ffff');
  });

  it('4096 octets is refused, never truncated', () => {
    const r = tryEncodeFlowSpecNlri(matchOfLength(4096));
    expect(r).toBeInstanceOf(FlowSpecEncodeError);
    expect((r as FlowSpecEncodeError).code).toBe('nlri-too-long');
  });

  it('the 2-octet form is accepted for short lengths too', () => {
    const d = decodeFlowSpecNlri(bytes('f0 03 03 81 06'), 0, 4);
    expect(isFlowSpecError(d) ? d : [formatFlowSpec(d.match), d.length]).toEqual(['flow4 proto =6', 5]);
  });

  it('stays inside the buffer whatever bounds the caller passes', () => {
    const buf = bytes('03 03 81 06');
    expect(decodeFlowSpecNlri(buf, 0, 4, 99)).toMatchObject({ length: 4 });
    expect(decodeFlowSpecNlri(buf, -1, 4)).toMatchObject({ error: 'length-truncated' });
    expect(decodeFlowSpecNlri(buf, 4, 4)).toMatchObject({ error: 'length-truncated' });
    expect(decodeFlowSpecNlri(buf, 0, 4, 3)).toMatchObject({ error: 'length-exceeds-field' });
    expect(decodeFlowSpecNlris(buf, 4, 0, 99)).toEqual({
      matches: [{ family: 4, ipProtocol: [{ and: false, lt: false, gt: false, eq: true, value: 6 }] }],
    });
  });

  it('length 1 holds no whole component', () => {
    expect((decodeFlowSpecNlri(bytes('01 01'), 0, 4) as FlowSpecError).error).toBe('component-truncated');
  });
});

describe('encoder refuses what it cannot carry faithfully', () => {
  const cases: readonly (readonly [string, FlowSpecMatch, string])[] = [
    ['empty match', { family: 4 }, 'empty-match'],
    ['empty term list', { family: 4, destinationPort: [] }, 'empty-component'],
    [
      'flow label on IPv4',
      { family: 4, flowLabel: [{ and: false, lt: false, gt: false, eq: true, value: 1 }] },
      'component-not-in-family',
    ],
    [
      'port over 2 octets',
      { family: 4, port: [{ and: false, lt: false, gt: false, eq: true, value: 65536 }] },
      'value-out-of-range',
    ],
    [
      'negative value',
      { family: 4, port: [{ and: false, lt: false, gt: false, eq: true, value: -1 }] },
      'value-out-of-range',
    ],
    [
      'fractional value',
      { family: 4, port: [{ and: false, lt: false, gt: false, eq: true, value: 1.5 }] },
      'value-out-of-range',
    ],
    ['host bits set', { family: 4, destination: { prefix: '10.0.0.1/8' } }, 'prefix-invalid'],
    ['v6 prefix on v4', { family: 4, destination: { prefix: '2001:db8::/32' } }, 'prefix-invalid'],
    ['offset on v4', { family: 4, destination: { prefix: '10.0.0.0/8', offset: 4 } }, 'prefix-invalid'],
    [
      'bits before offset',
      { family: 6, destination: { prefix: '2001:db8::/64', offset: 32 } },
      'prefix-invalid',
    ],
  ];
  it.each(cases)('%s', (_n, m, code) => {
    const r = tryEncodeFlowSpecNlri(m);
    expect(r).toBeInstanceOf(FlowSpecEncodeError);
    expect((r as FlowSpecEncodeError).code).toBe(code);
  });

  it('never sets the AND bit on the first term', () => {
    const m: FlowSpecMatch = { family: 4, port: [{ and: true, lt: false, gt: false, eq: true, value: 1 }] };
    expect(hex(encodeFlowSpecNlri(m))).toBe('03048101');
  });
});

describe('NLRI fields and VPN FlowSpec (RFC 8955 §8)', () => {
  it('decodes a field of several NLRIs', () => {
    const a = parse('flow4 dst 192.0.2.1/32 proto =17');
    const b = parse('flow4 dst 192.0.2.2/32 dport =53');
    const field = new Uint8Array([...encodeFlowSpecNlri(a), ...encodeFlowSpecNlri(b)]);
    expect(decodeFlowSpecNlris(field, 4)).toEqual({ matches: [a, b] });
  });

  it('keeps walking past a content error (treat-as-withdraw) and stops on a framing error', () => {
    const a = parse('flow4 dst 192.0.2.1/32');
    const good = encodeFlowSpecNlri(a);
    const withdraw = decodeFlowSpecNlris(new Uint8Array([...good, ...bytes('03 0d 81 05'), ...good]), 4);
    expect(withdraw.matches).toEqual([a, a]);
    expect(withdraw.error?.action).toBe('treat-as-withdraw');
    const disable = decodeFlowSpecNlris(new Uint8Array([...good, ...bytes('09 01 20')]), 4);
    expect(disable.matches).toEqual([a]);
    expect(disable.error).toMatchObject({
      error: 'length-exceeds-field',
      action: 'afi-safi-disable',
      offset: good.length,
    });
  });

  it.each([
    ['65000:100', '0000fde800000064'],
    ['192.0.2.1:7', '0001c00002010007'],
    ['4200000000:7', '0002fa56ea000007'],
    ['65000L:7', '00020000fde80007'],
  ])('RD %s', (rd, rdHex) => {
    const m = parse('flow4 dst 192.0.2.0/24 proto =6');
    const nlri = encodeVpnFlowSpecNlri(rd, m);
    expect(hex(nlri)).toBe(`10${rdHex}0118c00002038106`);
    expect(decodeVpnFlowSpecNlri(nlri, 0, 4)).toEqual({ rd, match: m, length: 17 });
    expect(decodeVpnFlowSpecNlris(new Uint8Array([...nlri, ...nlri]), 4)).toEqual({
      routes: [
        { rd, match: m },
        { rd, match: m },
      ],
    });
  });

  it('refuses a bad RD and a VPN NLRI too short for its RD', () => {
    expect(() => encodeVpnFlowSpecNlri('65536:4294967296', parse('flow4 proto =6'))).toThrow(
      FlowSpecEncodeError,
    );
    expect(decodeVpnFlowSpecNlri(bytes('05 00 00 fd e8 00'), 0, 4)).toMatchObject({
      error: 'rd-truncated',
      action: 'treat-as-withdraw',
    });
    expect(decodeVpnFlowSpecNlri(bytes('08 00 00 fd e8 00 00 00 01'), 0, 4)).toMatchObject({
      error: 'empty-nlri',
    });
  });
});

describe('properties', () => {
  it('decode(encode(m)) == m for random canonical matches', () => {
    fc.assert(
      fc.property(arbMatch(), (m) => {
        const r = tryEncodeFlowSpecNlri(m);
        if (r instanceof FlowSpecEncodeError) return r.code === 'nlri-too-long';
        const d = decodeFlowSpecNlri(r, 0, m.family);
        expect(d).toEqual({ match: m, length: r.length });
        return true;
      }),
      { numRuns: 2000 },
    );
  });

  it('VPN round trip', () => {
    fc.assert(
      fc.property(arbMatch(), fc.integer({ min: 0, max: 0xffff }), fc.nat(), (m, asn, n) => {
        const rd = `${asn}:${n}`;
        const nlri = encodeVpnFlowSpecNlri(rd, m);
        expect(decodeVpnFlowSpecNlri(nlri, 0, m.family)).toEqual({ rd, match: m, length: nlri.length });
      }),
      { numRuns: 500 },
    );
  });

  it('the decoders never throw on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.constantFrom<4 | 6>(4, 6), (buf, family) => {
        const r = decodeFlowSpecNlris(buf, family);
        expect(Array.isArray(r.matches)).toBe(true);
        decodeVpnFlowSpecNlris(buf, family);
      }),
      { numRuns: 6000 },
    );
  });

  it('the decoders never throw on mutated valid NLRIs, and whatever decodes re-encodes to itself', () => {
    fc.assert(
      fc.property(
        arbMatch(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        (m, edits) => {
          const r = tryEncodeFlowSpecNlri(m);
          if (r instanceof FlowSpecEncodeError) return;
          const buf = Uint8Array.from(r);
          for (const [at, v] of edits) buf[at % buf.length] = v;
          const d = decodeFlowSpecNlri(buf, 0, m.family);
          if (isFlowSpecError(d)) return;
          // What decodes must survive another trip unchanged (canonical form).
          const again = tryEncodeFlowSpecNlri(d.match);
          if (again instanceof FlowSpecEncodeError) return;
          expect(decodeFlowSpecNlri(again, 0, m.family)).toEqual({ match: d.match, length: again.length });
        },
      ),
      { numRuns: 4000 },
    );
  });
});
