import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromHex, hex } from './bytes.js';
import { decodeUpdate, encodeEndOfRib, encodeUpdate } from './update.js';
import { decodeAttributes, encodeAttributes, type PathAttributes } from './attributes/index.js';
import { encodePrefixNlri, flowSpecLengthPrefix, splitFlowSpec } from './nlri.js';
import { tryParsePrefix } from '../../net/index.js';
import { packAnnounce, packWithdraw } from './pack.js';
import {
  decodeNotification,
  encodeNotification,
  encodeShutdown,
  describeNotification,
} from './notification.js';
import { parseCommunity, formatCommunity } from './attributes/communities.js';
import { parseLargeCommunity } from './attributes/large-communities.js';

const M = 'ff'.repeat(16);
const as4 = { fourOctetAs: true };
const pfx = (t: string): Uint8Array => {
  const p = tryParsePrefix(t, { strict: false });
  if (!p) throw new Error(t);
  return encodePrefixNlri(p);
};

describe('UPDATE encoding (RFC 4271 §4.3)', () => {
  it('IPv4 RTBH route with BLACKHOLE, NO_EXPORT and a large community, byte for byte', () => {
    const b = encodeUpdate(
      {
        attributes: {
          origin: 0,
          asPath: [{ type: 2, asns: [65030] }],
          nextHop: '100.64.0.1',
          communities: [0xffff029a, 0xffffff01],
          largeCommunities: [{ global: 65030, local1: 666, local2: 1 }],
        },
        nlri: [pfx('203.0.113.7/32')],
      },
      as4,
    );
    expect(hex(b)).toBe(
      M +
        '004a' +
        '02' +
        '0000' +
        '002e' +
        '40010100' +
        '400206' +
        '020100' +
        '00fe06' +
        '40030464400001' +
        'c00808ffff029affffff01' +
        'c0200c0000fe060000029a00000001' +
        '20cb007107',
    );
  });

  it('uses the extended length flag above 255 bytes and MP_REACH first (RFC 7606 §5.1)', () => {
    const attrs: PathAttributes = {
      origin: 2,
      asPath: [],
      communities: Array.from({ length: 70 }, (_, i) => i),
      mpReach: { afi: 1, safi: 133, nextHop: new Uint8Array(0), nlri: [fromHex('0501180a0000')] },
    };
    const a = encodeAttributes(attrs, as4);
    expect(hex(a.subarray(0, 2))).toBe('800e');
    const comm = hex(a).indexOf('d008'); // 0x80|0x40|0x10 = 0xd0 flags, type 8
    expect(comm).toBeGreaterThan(0);
    expect(hex(a).slice(comm + 4, comm + 8)).toBe('0118'); // 280 bytes
    const back = decodeAttributes(a, as4);
    expect(back.ok && back.value.attributes.communities).toHaveLength(70);
  });

  it('2-octet sessions get AS_TRANS in AS_PATH and the real path in AS4_PATH (RFC 6793 §4.2.2)', () => {
    const a = encodeAttributes(
      { origin: 0, asPath: [{ type: 2, asns: [4200000000, 65001] }] },
      { fourOctetAs: false },
    );
    expect(hex(a)).toBe('40010100' + '400206' + '02025ba0fde9' + 'c0110a' + '0202fa56ea000000fde9');
    const d = decodeAttributes(a, { fourOctetAs: false });
    expect(d.ok && d.value.attributes.asPath).toEqual([{ type: 2, asns: [4200000000, 65001] }]);
  });

  it('End-of-RIB markers (RFC 4724 §2)', () => {
    expect(hex(encodeEndOfRib(1, 1, as4))).toBe(`${M}00170200000000`);
    expect(hex(encodeEndOfRib(2, 133, as4))).toBe(`${M}001d0200000006800f03000285`);
    const d = decodeUpdate(fromHex('00000006800f03000285'), as4);
    expect(d.ok && d.value.endOfRib).toEqual({ afi: 2, safi: 133 });
  });

  it('round-trips random attribute sets', () => {
    const attrArb = fc.record({
      origin: fc.constantFrom(0, 1, 2) as fc.Arbitrary<0 | 1 | 2>,
      asPath: fc.array(
        fc.record({
          type: fc.constantFrom(1, 2) as fc.Arbitrary<1 | 2>,
          asns: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 5 }),
        }),
        { maxLength: 3 },
      ),
      med: fc.integer({ min: 0, max: 0xffffffff }),
      communities: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 80 }),
      largeCommunities: fc.array(fc.record({ global: fc.nat(), local1: fc.nat(), local2: fc.nat() }), {
        minLength: 1,
        maxLength: 4,
      }),
    });
    fc.assert(
      fc.property(attrArb, (a) => {
        const d = decodeAttributes(encodeAttributes(a, as4), as4);
        expect(d.ok && d.value.attributes).toEqual(a);
        expect(d.ok && d.value.issues).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});

// RFC 7606 table: UPDATE body (hex) → outcome.
const ORIGIN = '40010100';
const ASPATH = '400206020100' + '00fe06';
const NH = '40030464400001';
const body = (attrs: string, nlri = '20cb007107'): string => {
  const a = attrs.replace(/ /g, '');
  return '0000' + (a.length / 2).toString(16).padStart(4, '0') + a + nlri;
};

describe('UPDATE error handling (RFC 7606)', () => {
  it.each([
    ['valid', body(ORIGIN + ASPATH + NH), 'ok'],
    ['ORIGIN value 3 → treat-as-withdraw (§7.1)', body('40010103' + ASPATH + NH), 'treat-as-withdraw'],
    ['ORIGIN length 2 → treat-as-withdraw', body('4001020000' + ASPATH + NH), 'treat-as-withdraw'],
    ['AS_PATH segment overrun (§7.2)', body(ORIGIN + '400206020200 00fe06' + NH), 'treat-as-withdraw'],
    ['AS_PATH segment type 5', body(ORIGIN + '400206050100 00fe06' + NH), 'treat-as-withdraw'],
    ['NEXT_HOP length 5 (§7.3)', body(ORIGIN + ASPATH + '4003056440000100'), 'treat-as-withdraw'],
    ['MED length 3 (§7.4)', body(ORIGIN + ASPATH + NH + '8004030000 01'), 'treat-as-withdraw'],
    ['COMMUNITIES length 3 (§7.8)', body(ORIGIN + ASPATH + NH + 'c00803ffff02'), 'treat-as-withdraw'],
    [
      'EXT COMMUNITIES length 7 (§7.14)',
      body(ORIGIN + ASPATH + NH + 'c010078006000000 0000'),
      'treat-as-withdraw',
    ],
    [
      'LARGE_COMMUNITY length 8 (RFC 8092 §6)',
      body(ORIGIN + ASPATH + NH + 'c020080000fe0600 000001'),
      'treat-as-withdraw',
    ],
    [
      'ATOMIC_AGGREGATE length 1 (§7.6) → discard',
      body(ORIGIN + ASPATH + NH + '40060100'),
      'attribute-discard',
    ],
    [
      'AGGREGATOR length 5 (§7.7) → discard',
      body(ORIGIN + ASPATH + NH + 'c007050000fe0600'),
      'attribute-discard',
    ],
    [
      'duplicate ORIGIN → discard the second (§3 g)',
      body(ORIGIN + ORIGIN + ASPATH + NH),
      'attribute-discard',
    ],
    ['ORIGIN with optional flag (§3 c)', body('c0010100' + ASPATH + NH), 'treat-as-withdraw'],
    ['missing NEXT_HOP (§3 d)', body(ORIGIN + ASPATH), 'treat-as-withdraw'],
    [
      'missing ORIGIN with MP_REACH only',
      body(ASPATH + '800e0e0001850000080118cb007103810600', ''),
      'treat-as-withdraw',
    ],
    ['attribute runs past the field (§4)', body(ORIGIN + ASPATH + '400310'), 'treat-as-withdraw'],
    ['unknown optional attribute kept', body(ORIGIN + ASPATH + NH + 'c0630201 02'), 'ok'],
    [
      'unknown well-known attribute → reset (RFC 4271 §6.3)',
      body(ORIGIN + ASPATH + NH + '40630101'),
      'session-reset',
    ],
    [
      'duplicate MP_REACH → reset (§3 g)',
      body(ORIGIN + ASPATH + '800e050001850000' + '800e050001850000', ''),
      'session-reset',
    ],
    [
      'MP_REACH FlowSpec NLRI overrun → reset (§7.11)',
      body(ORIGIN + ASPATH + '800e080001850000000901', ''),
      'session-reset',
    ],
    [
      'MP_REACH next hop length 5 for IPv6',
      body(ORIGIN + ASPATH + '800e0a00020105000000000000', ''),
      'afi-safi-disable',
    ],
    [
      'MP_REACH with the wrong flags → reset',
      body(ORIGIN + ASPATH + '400e050001850000', ''),
      'session-reset',
    ],
    ['withdrawn length overrun', '0010000000', 'session-reset'],
    ['total attribute length overrun (§4)', '0000001040010100', 'session-reset'],
    ['NLRI prefix length 33', body(ORIGIN + ASPATH + NH, '21cb00710700'), 'session-reset'],
  ])('%s', (_n, b, want) => {
    const r = decodeUpdate(fromHex(b.replace(/ /g, '')), as4);
    if (want === 'session-reset' || want === 'afi-safi-disable') {
      expect(r).toMatchObject({ ok: false, action: want, code: 3 });
      return;
    }
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    if (want === 'ok') {
      expect(r.value.treatAsWithdraw).toBe(false);
      expect(r.value.issues).toEqual([]);
    } else if (want === 'treat-as-withdraw') {
      expect(r.value.treatAsWithdraw).toBe(true);
      expect(r.value.issues.some((i) => i.error.action === 'treat-as-withdraw')).toBe(true);
    } else {
      expect(r.value.treatAsWithdraw).toBe(false);
      expect(r.value.issues.map((i) => i.error.action)).toEqual(['attribute-discard']);
    }
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (b, four) => {
        decodeUpdate(b, { fourOctetAs: four });
      }),
      { numRuns: 2000 },
    );
  });
});

describe('FlowSpec NLRI framing (RFC 8955 §4.1)', () => {
  it.each([
    [1, '01'],
    [239, 'ef'],
    [240, 'f0f0'],
    [4095, 'ffff'],
  ])('length %i → %s', (n, want) => {
    expect(hex(flowSpecLengthPrefix(n))).toBe(want);
    const nlri = new Uint8Array([...flowSpecLengthPrefix(n), ...new Uint8Array(n).fill(1)]);
    expect(splitFlowSpec(new Uint8Array([...nlri, ...nlri]))).toMatchObject({
      ok: true,
      value: [nlri, nlri],
    });
  });
  it('rejects 4096 and zero-length NLRIs', () => {
    expect(() => flowSpecLengthPrefix(4096)).toThrow();
    expect(splitFlowSpec(fromHex('00'))).toMatchObject({ ok: false, action: 'session-reset' });
  });
});

describe('batching (pack.ts)', () => {
  it('splits 2,000 FlowSpec NLRIs into ≤4096-byte UPDATEs that decode back to the same NLRIs', () => {
    const nlri = Array.from({ length: 2000 }, (_, i) =>
      fromHex(
        `0b0120cb00${(i >> 8).toString(16).padStart(2, '0')}${(i & 255).toString(16).padStart(2, '0')}038111068135`.slice(
          0,
          24,
        ),
      ),
    );
    const attrs = {
      origin: 0 as const,
      asPath: [{ type: 2 as const, asns: [65030] }],
      extendedCommunities: [fromHex('8006000000000000')],
    };
    const msgs = packAnnounce({ afi: 1, safi: 133, attributes: attrs, nlri }, 4096, as4);
    expect(msgs.length).toBeGreaterThan(1);
    const back: string[] = [];
    for (const m of msgs) {
      expect(m.length).toBeLessThanOrEqual(4096);
      const d = decodeUpdate(m.subarray(19), as4);
      if (!d.ok) throw new Error(d.message);
      back.push(...(d.value.update.attributes.mpReach?.nlri ?? []).map(hex));
    }
    expect(back).toEqual(nlri.map(hex));
    const big = packAnnounce({ afi: 1, safi: 133, attributes: attrs, nlri }, 65535, as4);
    expect(big.length).toBeLessThan(msgs.length);
  });
  it('withdraws IPv4 unicast in the withdrawn field, others in MP_UNREACH', () => {
    const [v4] = packWithdraw(1, 1, [pfx('203.0.113.7/32')], 4096, as4);
    expect(hex(v4 as Uint8Array)).toBe(`${M}001c02000520cb0071070000`);
    const [v6] = packWithdraw(2, 1, [pfx('2001:db8::7/128')], 4096, as4);
    const d = decodeUpdate((v6 as Uint8Array).subarray(19), as4);
    expect(d.ok && d.value.update.attributes.mpUnreach).toMatchObject({ afi: 2, safi: 1 });
  });
});

describe('NOTIFICATION (RFC 4271 §4.5, RFC 8203/9003)', () => {
  it('encodes code/subcode/data and names them', () => {
    expect(hex(encodeNotification(6, 7))).toBe(`${M}00150306 07`.replace(' ', ''));
    const n = decodeNotification(fromHex('0402'));
    expect(n.ok && describeNotification(n.value)).toBe('Hold Timer Expired / subcode 2 (4/2)');
  });
  it('carries a UTF-8 shutdown communication, truncated to 255 octets on a character boundary', () => {
    const b = encodeShutdown(2, 'maintenance ✓');
    const d = decodeNotification(b.subarray(19));
    expect(d.ok && d.value.shutdownMessage).toBe('maintenance ✓');
    const long = encodeShutdown(4, '✓'.repeat(100));
    expect(long[21]).toBe(255);
    const dl = decodeNotification(long.subarray(19));
    expect(dl.ok && dl.value.shutdownMessage).toBe('✓'.repeat(85));
    expect(describeNotification({ code: 6, subcode: 2, data: new Uint8Array(0), shutdownMessage: 'x' })).toBe(
      'Cease / Administrative Shutdown (6/2): "x"',
    );
  });
});

describe('community text', () => {
  it.each([
    ['65535:666', 0xffff029a],
    ['no-export', 0xffffff01],
    ['blackhole', 0xffff029a],
    ['65536:1', undefined],
    ['1:2:3', undefined],
  ])('%s', (t, v) => expect(parseCommunity(t)).toBe(v));
  it('formats', () => expect(formatCommunity(0xffff029a)).toBe('65535:666'));
  it('large', () =>
    expect(parseLargeCommunity('4200000000:666:1')).toEqual({ global: 4200000000, local1: 666, local2: 1 }));
});
