import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeExtendedCommunity, encodeFlowSpecAction, encodeRouteTarget } from './actions.js';
import { FlowSpecEncodeError } from './errors.js';
import type { FlowSpecAction } from './types.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));

// name | action | extended community hex (RFC 8955 §7, RFC 7674 forms, redirect-to-IP drafts)
const VECTORS: readonly (readonly [string, FlowSpecAction, string])[] = [
  ['discard = rate 0', { kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 0 }, '80 06 0000 00000000'],
  [
    '100 Mbit/s as bytes/s',
    { kind: 'traffic-rate-bytes', asn: 65000, bytesPerSecond: 12_500_000 },
    '80 06 fde8 4b3ebc20',
  ],
  [
    '1 Gbit/s as bytes/s',
    { kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 125_000_000 },
    '80 06 0000 4cee6b28',
  ],
  ['1000 packets/s', { kind: 'traffic-rate-packets', asn: 0, packetsPerSecond: 1000 }, '80 0c 0000 447a0000'],
  ['terminal action', { kind: 'traffic-action', terminal: true, sample: false }, '80 07 0000 0000 0001'],
  ['sample action', { kind: 'traffic-action', terminal: false, sample: true }, '80 07 0000 0000 0002'],
  ['sample + terminal', { kind: 'traffic-action', terminal: true, sample: true }, '80 07 0000 0000 0003'],
  ['redirect AS2 RT', { kind: 'redirect-vrf', routeTarget: '65000:100' }, '80 08 fde8 00000064'],
  ['redirect IPv4 RT', { kind: 'redirect-vrf', routeTarget: '198.51.100.1:100' }, '81 08 c6336401 0064'],
  ['redirect AS4 RT', { kind: 'redirect-vrf', routeTarget: '4200000000:100' }, '82 08 fa56ea00 0064'],
  ['redirect small AS4 RT', { kind: 'redirect-vrf', routeTarget: '65000L:100' }, '82 08 0000fde8 0064'],
  ['traffic-marking EF', { kind: 'traffic-marking', dscp: 46 }, '80 09 0000 0000 002e'],
  [
    'redirect-to-nexthop copy',
    { kind: 'redirect-ip', nextHop: '100.64.0.1', copy: true },
    '08 00 0000 0000 0001',
  ],
  [
    'redirect-to-nexthop',
    { kind: 'redirect-ip', nextHop: '2001:db8::1', copy: false },
    '08 00 0000 0000 0000',
  ],
];

describe('FlowSpec actions as extended communities', () => {
  it.each(VECTORS)('%s', (_n, action, h) => {
    expect(hex(encodeFlowSpecAction(action))).toBe(h.replace(/\s+/g, ''));
    const nextHop = action.kind === 'redirect-ip' ? action.nextHop : undefined;
    expect(decodeExtendedCommunity(bytes(h), nextHop === undefined ? {} : { nextHop })).toEqual({
      kind: 'action',
      action,
    });
  });

  it('0x010c carries the IPv4 next hop inside (draft-ietf-idr-flowspec-redirect-ip)', () => {
    const a: FlowSpecAction = { kind: 'redirect-ip', nextHop: '100.64.0.1', copy: true };
    expect(hex(encodeFlowSpecAction(a, { redirectIp: 'ipv4-community' }))).toBe('010c644000010001');
    expect(decodeExtendedCommunity(bytes('010c644000010001'))).toEqual({ kind: 'action', action: a });
    expect(() =>
      encodeFlowSpecAction({ ...a, nextHop: '2001:db8::1' }, { redirectIp: 'ipv4-community' }),
    ).toThrow(FlowSpecEncodeError);
  });

  it('0x0800 without the MP_REACH next hop comes back as its own kind', () => {
    expect(decodeExtendedCommunity(bytes('0800000000000001'))).toEqual({
      kind: 'redirect-to-next-hop',
      copy: true,
    });
  });

  it.each([
    ['65000:1', '0002fde800000001'],
    ['192.0.2.1:1', '0102c00002010001'],
    ['4200000000:1', '0202fa56ea000001'],
  ])('route target %s', (rt, h) => {
    expect(hex(encodeRouteTarget(rt))).toBe(h);
    expect(decodeExtendedCommunity(bytes(h))).toEqual({ kind: 'route-target', routeTarget: rt });
  });

  it('ignores reserved bits (RFC 8955 §7.3/§7.5)', () => {
    expect(decodeExtendedCommunity(bytes('8007ffffffffff01'))).toEqual({
      kind: 'action',
      action: { kind: 'traffic-action', terminal: true, sample: false },
    });
    expect(decodeExtendedCommunity(bytes('80090000000000ee'))).toEqual({
      kind: 'action',
      action: { kind: 'traffic-marking', dscp: 46 },
    });
  });

  it('keeps unknown communities raw and flags a wrong size', () => {
    expect(decodeExtendedCommunity(bytes('030c000000000008'))).toEqual({
      kind: 'unknown',
      type: 3,
      subtype: 12,
      bytes: bytes('030c000000000008'),
    });
    expect(decodeExtendedCommunity(bytes('80060000000000'))).toMatchObject({ kind: 'malformed' });
  });

  it.each<readonly [string, FlowSpecAction]>([
    ['AS over 2 octets', { kind: 'traffic-rate-bytes', asn: 65536, bytesPerSecond: 1 }],
    ['negative rate', { kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: -1 }],
    ['NaN rate', { kind: 'traffic-rate-packets', asn: 0, packetsPerSecond: Number.NaN }],
    ['DSCP 64', { kind: 'traffic-marking', dscp: 64 }],
    ['bad RT', { kind: 'redirect-vrf', routeTarget: '65000' }],
    ['RT number too big for an IPv4 admin', { kind: 'redirect-vrf', routeTarget: '192.0.2.1:65536' }],
    ['bad next hop', { kind: 'redirect-ip', nextHop: 'router1', copy: false }],
  ])('refuses %s', (_n, a) => {
    expect(() => encodeFlowSpecAction(a)).toThrow(FlowSpecEncodeError);
  });

  it('decode(encode(a)) == a for random actions (rates as float32)', () => {
    const f32 = fc
      .float({ min: 0, max: Math.fround(1e12), noNaN: true, noDefaultInfinity: true })
      .map((x) => Math.fround(x) + 0);
    const rt = fc.oneof(
      fc
        .tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffffffff }))
        .map(([a, n]) => `${a}:${n}`),
      fc
        .tuple(fc.integer({ min: 0x10000, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffff }))
        .map(([a, n]) => `${a}:${n}`),
      fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 0xffff })).map(([a, n]) => `${a}:${n}`),
    );
    const action: fc.Arbitrary<FlowSpecAction> = fc.oneof(
      fc.record({
        kind: fc.constant('traffic-rate-bytes' as const),
        asn: fc.integer({ min: 0, max: 0xffff }),
        bytesPerSecond: f32,
      }),
      fc.record({
        kind: fc.constant('traffic-rate-packets' as const),
        asn: fc.integer({ min: 0, max: 0xffff }),
        packetsPerSecond: f32,
      }),
      fc.record({
        kind: fc.constant('traffic-action' as const),
        terminal: fc.boolean(),
        sample: fc.boolean(),
      }),
      fc.record({ kind: fc.constant('redirect-vrf' as const), routeTarget: rt }),
      fc.record({ kind: fc.constant('traffic-marking' as const), dscp: fc.integer({ min: 0, max: 63 }) }),
      fc.record({ kind: fc.constant('redirect-ip' as const), nextHop: fc.ipV4(), copy: fc.boolean() }),
    );
    fc.assert(
      fc.property(action, (a) => {
        const nextHop = a.kind === 'redirect-ip' ? a.nextHop : undefined;
        expect(
          decodeExtendedCommunity(encodeFlowSpecAction(a), nextHop === undefined ? {} : { nextHop }),
        ).toEqual({ kind: 'action', action: a });
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on random 0..16 octets', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 16 }), (b) => {
        expect(typeof decodeExtendedCommunity(b).kind).toBe('string');
      }),
      { numRuns: 2000 },
    );
  });
});
