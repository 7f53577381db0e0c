import { describe, expect, it } from 'vitest';
import { fromHex, hex } from './bytes.js';
import { decodeCapabilities, encodeCapability, type Capability } from './capabilities.js';
import { decodeOpen, encodeOpen, peerAsn, validateOpen } from './open.js';

const M = 'ff'.repeat(16);

describe('OPEN (RFC 4271 §4.2, RFC 5492)', () => {
  it('encodes a 2-octet AS speaker byte for byte', () => {
    const b = encodeOpen({
      asn: 65030,
      holdTime: 90,
      bgpId: '10.30.0.1',
      capabilities: [
        { kind: 'multiprotocol', afi: 1, safi: 133 },
        { kind: 'route-refresh' },
        { kind: 'four-octet-as', asn: 65030 },
      ],
    });
    expect(hex(b)).toBe(
      `${M}0031` +
        '01' +
        '04' +
        'fe06' +
        '005a' +
        '0a1e0001' +
        '14' +
        '0206010400010085' +
        '02020200' +
        '020641040000fe06',
    );
  });

  it('puts AS_TRANS in My AS for a 4-octet ASN (RFC 6793 §4.1) and reads the real one back', () => {
    const b = encodeOpen({
      asn: 4200000000,
      holdTime: 180,
      bgpId: '192.0.2.9',
      capabilities: [{ kind: 'four-octet-as', asn: 4200000000 }],
    });
    const o = decodeOpen(b.subarray(19));
    expect(o.ok && o.value.myAs).toBe(23456);
    expect(o.ok && peerAsn(o.value)).toBe(4200000000);
  });

  it.each([
    ['version 3', '03fe06005a0a1e000100', { code: 2, subcode: 1, data: '0004' }],
    ['optional length too long', '04fe06005a0a1e000105', { code: 2, subcode: 0 }],
    ['unsupported parameter type 1', '04fe06005a0a1e0001030101ff', { code: 2, subcode: 4 }],
    ['truncated capability', '04fe06005a0a1e0001040202010a', { code: 2, subcode: 7 }],
    [
      'MP capability of length 3',
      '04fe06005a0a1e000107020501030001 00'.replace(/ /g, ''),
      { code: 2, subcode: 7 },
    ],
  ])('rejects %s', (_n, body, want) => {
    const r = decodeOpen(fromHex(body));
    expect(r).toMatchObject({ ok: false, code: want.code, subcode: want.subcode });
    if (!r.ok && 'data' in want) expect(hex(r.data)).toBe(want.data);
  });

  it('validates peer AS, hold time and identifier', () => {
    const base = { version: 4, myAs: 65001, holdTime: 90, bgpId: '10.0.0.1', capabilities: [] };
    const exp = { remoteAs: 65001, localBgpId: '10.0.0.2' };
    expect(validateOpen(base, exp).ok).toBe(true);
    expect(validateOpen({ ...base, myAs: 65002 }, exp)).toMatchObject({ code: 2, subcode: 2 });
    expect(validateOpen({ ...base, holdTime: 2 }, exp)).toMatchObject({ code: 2, subcode: 6 });
    expect(validateOpen({ ...base, holdTime: 0 }, exp).ok).toBe(true);
    expect(validateOpen({ ...base, bgpId: '0.0.0.0' }, exp)).toMatchObject({ code: 2, subcode: 3 });
  });
});

describe('capabilities round trip', () => {
  const caps: Capability[] = [
    { kind: 'multiprotocol', afi: 2, safi: 134 },
    { kind: 'route-refresh' },
    { kind: 'extended-message' },
    { kind: 'enhanced-route-refresh' },
    { kind: 'four-octet-as', asn: 4294967295 },
    {
      kind: 'graceful-restart',
      restarting: true,
      notification: true,
      restartTime: 4095,
      families: [
        { afi: 1, safi: 1, forwarding: true },
        { afi: 2, safi: 133, forwarding: false },
      ],
    },
    { kind: 'unknown', code: 73, value: fromHex('0102') },
  ];
  it.each(caps.map((c) => [c.kind, c] as const))('%s', (_k, c) => {
    const b = encodeCapability(c);
    expect(decodeCapabilities(b)).toEqual({ ok: true, value: [c] });
  });
  it('graceful restart header bits (RFC 4724 §3)', () => {
    expect(hex(encodeCapability(caps[5] as Capability))).toBe('400ac fff0001018000028500'.replace(/ /g, ''));
  });
});
