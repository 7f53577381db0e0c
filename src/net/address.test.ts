import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  NetParseError,
  compareIp,
  formatIp,
  ipEquals,
  ipFromWords,
  ipToWords,
  ipv4ToUint32,
  parseIp,
  tryParseIp,
  uint32ToIpv4,
  uint32ToIpv4String,
  wordsToIpString,
} from './address.js';

const hex = (a: { bytes: Uint8Array }): string => Buffer.from(a.bytes).toString('hex');

describe('parseIp: good inputs', () => {
  const cases: [string, 4 | 6, string][] = [
    ['0.0.0.0', 4, '00000000'],
    ['255.255.255.255', 4, 'ffffffff'],
    ['192.0.2.1', 4, 'c0000201'],
    ['10.0.0.0', 4, '0a000000'],
    ['::', 6, '0'.repeat(32)],
    ['::1', 6, '0'.repeat(31) + '1'],
    ['1::', 6, '0001' + '0'.repeat(28)],
    ['2001:DB8::1', 6, '20010db8' + '0'.repeat(23) + '1'],
    ['2001:db8:0:0:1:0:0:1', 6, '20010db8000000000001000000000001'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', 6, '20010db8' + '0'.repeat(23) + '1'],
    ['1:2:3:4:5:6:7::', 6, '00010002000300040005000600070000'],
    ['::2:3:4:5:6:7:8', 6, '00000002000300040005000600070008'],
    ['::ffff:1.2.3.4', 6, '00000000000000000000ffff01020304'],
    ['::1.2.3.4', 6, '00000000000000000000000001020304'],
    ['64:ff9b::192.0.2.33', 6, '0064ff9b0000000000000000c0000221'],
    ['1:2:3:4:5:6:1.2.3.4', 6, '00010002000300040005000601020304'],
    ['fe80::1:2.3.4.5', 6, 'fe800000000000000000000102030405'],
  ];
  it.each(cases)('%s', (text, family, bytes) => {
    const a = parseIp(text);
    expect(a.family).toBe(family);
    expect(hex(a)).toBe(bytes);
  });
});

describe('parseIp: bad inputs name the input and the fault', () => {
  const cases: [string, RegExp][] = [
    ['', /empty string/],
    [' 1.2.3.4', /whitespace/],
    ['1.2.3', /needs 4 parts, has 3/],
    ['1.2.3.4.5', /needs 4 parts, has 5/],
    ['1.2..4', /empty part 3/],
    ['01.2.3.4', /"01" has a leading zero/],
    ['1.2.3.256', /256 is out of range 0-255/],
    ['1.2.3.1000', /not a decimal number of 1-3 digits/],
    ['1.2.3.-1', /not a decimal number/],
    ['0x1.2.3.4', /not a decimal number/],
    ['1.2.3.4/24', /has a prefix length/],
    ['fe80::1%eth0', /zone identifiers/],
    ['1:2:3:4:5:6:7', /needs 8 groups without '::', has 7/],
    ['1:2:3:4:5:6:7:8:9', /needs 8 groups without '::', has 9/],
    ['1:2:3:4:5:6:7:8::', /at least one zero group, but 8 groups/],
    ['1::2::3', /'::' may appear only once/],
    [':::', /'::' may appear only once/],
    [':1::', /empty group/],
    ['1::2:', /empty group/],
    [':1:2:3:4:5:6:7:8', /empty group/],
    ['12345::', /"12345" is not 1-4 hexadecimal digits/],
    ['g::', /"g" is not 1-4 hexadecimal digits/],
    ['1.2.3.4::', /embedded IPv4 address must be the last/],
    ['::1.2.3.4:1', /embedded IPv4 address must be the last/],
    ['::ffff:1.2.3.04', /leading zero/],
    ['::ffff:1.2.3', /needs 4 parts/],
    ['1:2:3:4:5:6:7:1.2.3.4', /needs 8 groups without '::', has 9/],
  ];
  it.each(cases)('%j', (text, reason) => {
    let err: unknown;
    try {
      parseIp(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NetParseError);
    const e = err as NetParseError;
    expect(e.input).toBe(text);
    expect(e.message).toContain(JSON.stringify(text));
    expect(e.message).toMatch(reason);
    expect(tryParseIp(text)).toBeUndefined();
  });
});

describe('formatIp: RFC 5952 canonical form', () => {
  const cases: [string, string][] = [
    // §4.1 leading zeros suppressed; §4.3 lowercase
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:DB8::ABCD', '2001:db8::abcd'],
    // §4.2.1 "::" as far as possible
    ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
    // §4.2.2 a single 16-bit zero field is not shortened
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:db8::1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    // §4.2.3 the longest run is compressed; on a tie, the first
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['0:1:2:3:4:5:6:7', '0:1:2:3:4:5:6:7'],
    // §5 IPv4-mapped in mixed notation; other embedded forms in hex
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['0:0:0:0:0:ffff:c000:201', '::ffff:192.0.2.1'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
    ['1.2.3.4', '1.2.3.4'],
  ];
  it.each(cases)('%s → %s', (text, canonical) => {
    expect(formatIp(parseIp(text))).toBe(canonical);
  });
});

const v4 = fc.uint8Array({ minLength: 4, maxLength: 4 }).map((bytes) => ({ family: 4 as const, bytes }));
// Bias towards zero groups so '::' placement is exercised.
const group = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
const v6 = fc.array(group, { minLength: 8, maxLength: 8 }).map((ws) => {
  const bytes = new Uint8Array(16);
  ws.forEach((w, i) => {
    bytes[i * 2] = w >>> 8;
    bytes[i * 2 + 1] = w & 0xff;
  });
  return { family: 6 as const, bytes };
});
const anyIp = fc.oneof(v4, v6);

describe('properties', () => {
  it('parse(format(a)) == a and format is a fixed point', () => {
    fc.assert(
      fc.property(anyIp, (a) => {
        const text = formatIp(a);
        const back = parseIp(text);
        expect(ipEquals(back, a)).toBe(true);
        expect(formatIp(back)).toBe(text);
      }),
    );
  });

  it('canonical text never has a leading zero, uppercase, or a "::" for a single group', () => {
    fc.assert(
      fc.property(v6, (a) => {
        const t = formatIp(a);
        if (t.startsWith('::ffff:') && t.includes('.')) return;
        expect(t).toBe(t.toLowerCase());
        for (const g of t.split(':')) if (g.length > 1) expect(g[0]).not.toBe('0');
        if (t.includes('::')) expect(t.split(':').filter((g) => g !== '').length).toBeLessThanOrEqual(6);
      }),
    );
  });

  it('the uncompressed full form parses to the same address', () => {
    fc.assert(
      fc.property(v6, (a) => {
        const full = Array.from({ length: 8 }, (_, i) =>
          (((a.bytes[i * 2] as number) << 8) | (a.bytes[i * 2 + 1] as number))
            .toString(16)
            .padStart(4, '0')
            .toUpperCase(),
        ).join(':');
        expect(ipEquals(parseIp(full), a)).toBe(true);
      }),
    );
  });

  it('words round trip: ipToWords / ipFromWords / wordsToIpString', () => {
    fc.assert(
      fc.property(anyIp, fc.integer({ min: 0, max: 3 }), (a, slot) => {
        const words = new Uint32Array(16).fill(0xdeadbeef);
        ipToWords(a, words, slot * 4);
        if (a.family === 4) {
          expect(words[slot * 4]).toBe(ipv4ToUint32(a));
          expect([words[slot * 4 + 1], words[slot * 4 + 2], words[slot * 4 + 3]]).toEqual([0, 0, 0]);
        }
        expect(ipEquals(ipFromWords(a.family, words, slot * 4), a)).toBe(true);
        expect(wordsToIpString(words, slot * 4, a.family)).toBe(formatIp(a));
      }),
    );
  });

  it('uint32 round trip', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        expect(ipv4ToUint32(uint32ToIpv4(n))).toBe(n);
        expect(uint32ToIpv4String(n)).toBe(formatIp(uint32ToIpv4(n)));
      }),
    );
  });
});

describe('word layout and helpers', () => {
  it('word 0 holds bytes 0..3 big-endian', () => {
    const w = new Uint32Array(4);
    ipToWords(parseIp('2001:db8:1:2:3:4:5:6'), w, 0);
    expect(Array.from(w)).toEqual([0x20010db8, 0x00010002, 0x00030004, 0x00050006]);
    ipToWords(parseIp('192.0.2.1'), w, 0);
    expect(Array.from(w)).toEqual([0xc0000201, 0, 0, 0]);
  });
  it('ipv4ToUint32 rejects IPv6', () => {
    expect(() => ipv4ToUint32(parseIp('::1'))).toThrow(/needs an IPv4 address, got ::1/);
  });
  it('compareIp orders v4 before v6 then bytes', () => {
    const xs = ['::1', '10.0.0.1', '9.255.255.255', '::'].map(parseIp).sort(compareIp).map(formatIp);
    expect(xs).toEqual(['9.255.255.255', '10.0.0.1', '::', '::1']);
  });
});
