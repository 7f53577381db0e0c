import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseLargeCommunity,
  parseStandardCommunity,
  rtbhCommunities,
  standardText,
  standardUint32,
} from './communities.js';
import { actionBytes, hex } from './ext-community.js';
import { RenderError } from './errors.js';

describe('communities', () => {
  it.each([
    ['65535:666', 0xffff029a],
    ['no-export', 0xffffff01],
    ['blackhole', 0xffff029a],
    ['0:0', 0],
    ['65535:65535', 0xffffffff],
  ])('%s is %d on the wire (RFC 1997/7999)', (text, wire) => {
    expect(standardUint32(parseStandardCommunity(text))).toBe(wire);
  });

  it.each(['65536:1', '1:65536', '1', '1:2:3', 'a:b', '', 'nope'])('refuses standard community "%s"', (t) => {
    expect(() => parseStandardCommunity(t)).toThrow(RenderError);
  });

  it.each(['1:2', '4294967296:1:1', '1:2:3:4', 'x:1:1'])('refuses large community "%s"', (t) => {
    expect(() => parseLargeCommunity(t)).toThrow(RenderError);
  });

  it('round-trips every asn:value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), (a, v) => {
        expect(standardText(parseStandardCommunity(`${a}:${v}`))).toBe(`${a}:${v}`);
      }),
    );
  });

  it('builds the RTBH set in order without duplicates', () => {
    const c = rtbhCommunities(
      { communities: ['65535:666', '65040:7'], largeCommunities: ['65040:666:1'] },
      {
        noExport: true,
        extraCommunities: ['65040:7', 'no-export'],
        extraLargeCommunities: ['65040:666:1', '65040:1:1'],
      },
    );
    expect(c.standard.map(standardText)).toEqual(['65535:666', '65535:65281', '65040:7']);
    expect(c.large.map((l) => `${l.globalAdmin}:${l.localData1}:${l.localData2}`)).toEqual([
      '65040:666:1',
      '65040:1:1',
    ]);
  });
});

describe('FlowSpec actions as extended communities (RFC 8955 §7, RFC 7674)', () => {
  it.each([
    [{ kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 10000 } as const, '0x80060000461c4000'],
    [{ kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 0 } as const, '0x8006000000000000'],
    [{ kind: 'traffic-rate-packets', asn: 1, packetsPerSecond: 1 } as const, '0x800c00013f800000'],
    [{ kind: 'traffic-action', terminal: true, sample: false } as const, '0x8007000000000001'],
    [{ kind: 'traffic-action', terminal: false, sample: true } as const, '0x8007000000000002'],
    [{ kind: 'redirect-vrf', routeTarget: '65000:100' } as const, '0x8008fde800000064'],
    [{ kind: 'redirect-vrf', routeTarget: '4200000000:100' } as const, '0x8208fa56ea000064'],
    [{ kind: 'redirect-vrf', routeTarget: '10.0.0.1:100' } as const, '0x81080a0000010064'],
    [{ kind: 'traffic-marking', dscp: 46 } as const, '0x800900000000002e'],
    [{ kind: 'redirect-ip', nextHop: '10.0.0.1', copy: true } as const, '0x010c0a0000010001'],
  ])('%o → %s', (a, want) => {
    expect(hex(actionBytes(a))).toBe(want);
  });

  it('refuses values that do not fit', () => {
    expect(() => actionBytes({ kind: 'traffic-marking', dscp: 64 })).toThrow(/0\.\.63/);
    expect(() => actionBytes({ kind: 'traffic-rate-bytes', asn: 70000, bytesPerSecond: 1 })).toThrow(
      /16-bit/,
    );
    expect(() => actionBytes({ kind: 'redirect-vrf', routeTarget: '65000:x' })).toThrow(/admin:number/);
    expect(() => actionBytes({ kind: 'redirect-ip', nextHop: '2001:db8::1', copy: false })).toThrow(/IPv6/);
  });
});
