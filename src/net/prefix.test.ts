import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { NetParseError, ipToWords, parseIp } from './address.js';
import {
  comparePrefix,
  formatPrefix,
  hostPrefix,
  makePrefix,
  maskBytes,
  parsePrefix,
  prefixContains,
  prefixEquals,
  prefixFromWords,
  prefixLastAddress,
  prefixOverlaps,
  tryParsePrefix,
} from './prefix.js';
import { formatIp } from './address.js';

describe('parsePrefix: good inputs', () => {
  const cases: [string, string][] = [
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['192.0.2.1', '192.0.2.1/32'],
    ['192.0.2.1/32', '192.0.2.1/32'],
    ['::/0', '::/0'],
    ['2001:DB8::/32', '2001:db8::/32'],
    ['2001:db8::1', '2001:db8::1/128'],
    ['fe80::/10', 'fe80::/10'],
    ['::ffff:0:0/96', '::ffff:0.0.0.0/96'],
    ['198.18.0.0/15', '198.18.0.0/15'],
  ];
  it.each(cases)('%s → %s', (text, canonical) => {
    expect(formatPrefix(parsePrefix(text))).toBe(canonical);
  });
});

describe('parsePrefix: bad inputs', () => {
  const cases: [string, RegExp][] = [
    ['10.0.0.1/8', /host bits are set past \/8; did you mean 10\.0\.0\.0\/8\?/],
    ['2001:db8::1/32', /did you mean 2001:db8::\/32\?/],
    ['192.0.2.0/33', /prefix length 33 is out of range 0-32 for IPv4/],
    ['::/129', /prefix length 129 is out of range 0-128 for IPv6/],
    ['10.0.0.0/', /missing prefix length/],
    ['10.0.0.0/08', /"08" is not a decimal number without leading zeros/],
    ['10.0.0.0/-1', /not a decimal number/],
    ['10.0.0.0/8/8', /more than one '\/'/],
    ['10.0.0/8', /needs 4 parts, has 3/],
    ['fe80::1%eth0/64', /zone identifiers/],
    ['/8', /empty string/],
  ];
  it.each(cases)('%j', (text, reason) => {
    let err: unknown;
    try {
      parsePrefix(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NetParseError);
    expect((err as NetParseError).message).toContain(JSON.stringify(text));
    expect((err as NetParseError).message).toMatch(reason);
    expect(tryParsePrefix(text)).toBeUndefined();
  });

  it('non-strict mode masks host bits', () => {
    expect(formatPrefix(parsePrefix('10.1.2.3/8', { strict: false }))).toBe('10.0.0.0/8');
    expect(formatPrefix(parsePrefix('2001:db8::ffff/120', { strict: false }))).toBe('2001:db8::ff00/120');
    expect(formatPrefix(parsePrefix('255.255.255.255/0', { strict: false }))).toBe('0.0.0.0/0');
  });
});

describe('relations', () => {
  const p = (s: string) => parsePrefix(s);
  it('contains / overlaps / equals', () => {
    expect(prefixContains(p('10.0.0.0/8'), p('10.1.0.0/16'))).toBe(true);
    expect(prefixContains(p('10.1.0.0/16'), p('10.0.0.0/8'))).toBe(false);
    expect(prefixContains(p('10.0.0.0/8'), parseIp('10.255.255.255'))).toBe(true);
    expect(prefixContains(p('10.0.0.0/8'), parseIp('11.0.0.0'))).toBe(false);
    expect(prefixContains(p('0.0.0.0/0'), parseIp('255.255.255.255'))).toBe(true);
    expect(prefixContains(p('0.0.0.0/0'), parseIp('::'))).toBe(false);
    expect(prefixContains(p('::/0'), p('2001:db8::/32'))).toBe(true);
    expect(prefixContains(p('192.0.2.1/32'), parseIp('192.0.2.1'))).toBe(true);
    expect(prefixContains(p('2001:db8::/33'), parseIp('2001:db8:8000::'))).toBe(false);
    expect(prefixOverlaps(p('10.0.0.0/8'), p('10.2.0.0/16'))).toBe(true);
    expect(prefixOverlaps(p('10.2.0.0/16'), p('10.0.0.0/8'))).toBe(true);
    expect(prefixOverlaps(p('10.0.0.0/9'), p('10.128.0.0/9'))).toBe(false);
    expect(prefixOverlaps(p('0.0.0.0/0'), p('::/0'))).toBe(false);
    expect(prefixEquals(p('10.0.0.0/8'), p('10.0.0.0/8'))).toBe(true);
    expect(prefixEquals(p('10.0.0.0/8'), p('10.0.0.0/9'))).toBe(false);
  });
  it('hostPrefix, last address, compare', () => {
    expect(formatPrefix(hostPrefix(parseIp('::1')))).toBe('::1/128');
    expect(formatIp(prefixLastAddress(p('10.0.0.0/8')))).toBe('10.255.255.255');
    expect(formatIp(prefixLastAddress(p('2001:db8::/127')))).toBe('2001:db8::1');
    const sorted = ['::/0', '10.0.0.0/16', '10.0.0.0/8', '9.0.0.0/8']
      .map(p)
      .sort(comparePrefix)
      .map(formatPrefix);
    expect(sorted).toEqual(['9.0.0.0/8', '10.0.0.0/8', '10.0.0.0/16', '::/0']);
  });
  it('prefixFromWords reads the FlowBatch layout and masks', () => {
    const w = new Uint32Array(8);
    ipToWords(parseIp('2001:db8:aaaa:bbbb::1'), w, 4);
    expect(formatPrefix(prefixFromWords(6, w, 4, 48))).toBe('2001:db8:aaaa::/48');
    ipToWords(parseIp('203.0.113.77'), w, 0);
    expect(formatPrefix(prefixFromWords(4, w, 0, 24))).toBe('203.0.113.0/24');
  });
  it('makePrefix rejects bad lengths', () => {
    expect(() => makePrefix(parseIp('1.2.3.4'), 33)).toThrow(RangeError);
  });
});

const addrArb = fc.oneof(
  fc.uint8Array({ minLength: 4, maxLength: 4 }).map((bytes) => ({ family: 4 as const, bytes })),
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => ({ family: 6 as const, bytes })),
);
const prefixArb = addrArb.chain((a) =>
  fc.integer({ min: 0, max: a.family === 4 ? 32 : 128 }).map((len) => makePrefix(a, len)),
);

/** Bit i of bytes, most significant first. */
const bit = (b: Uint8Array, i: number) => ((b[i >>> 3] as number) >>> (7 - (i & 7))) & 1;

describe('properties', () => {
  it('format/parse round trip', () => {
    fc.assert(
      fc.property(prefixArb, (p) => {
        expect(prefixEquals(parsePrefix(formatPrefix(p)), p)).toBe(true);
      }),
    );
  });
  it('maskBytes clears exactly the bits past the length', () => {
    fc.assert(
      fc.property(addrArb, fc.nat(128), (a, n) => {
        const len = n % (a.bytes.length * 8 + 1);
        const m = maskBytes(a.bytes, len);
        for (let i = 0; i < a.bytes.length * 8; i++) expect(bit(m, i)).toBe(i < len ? bit(a.bytes, i) : 0);
      }),
    );
  });
  it('prefixContains(p, a) ⇔ mask(a, p.length) == p.bytes', () => {
    fc.assert(
      fc.property(prefixArb, addrArb, (p, a) => {
        const expected =
          p.family === a.family && Buffer.from(maskBytes(a.bytes, p.length)).equals(Buffer.from(p.bytes));
        expect(prefixContains(p, a)).toBe(expected);
      }),
    );
  });
  it('an address inside p (host bits randomised) is contained; containment is transitive with masking', () => {
    fc.assert(
      fc.property(prefixArb, addrArb, (p, noise) => {
        if (noise.family !== p.family) return;
        const bytes = Uint8Array.from(p.bytes);
        for (let i = p.length; i < bytes.length * 8; i++)
          if (bit(noise.bytes, i)) bytes[i >>> 3] = (bytes[i >>> 3] as number) | (0x80 >>> (i & 7));
        const inside = { family: p.family, bytes };
        expect(prefixContains(p, inside)).toBe(true);
        const q = makePrefix(inside, Math.min(bytes.length * 8, p.length + 3));
        expect(prefixContains(p, q)).toBe(true);
        expect(prefixOverlaps(p, q) && prefixOverlaps(q, p)).toBe(true);
      }),
    );
  });
});
