import { describe, expect, it } from 'vitest';
import { fromHex, hex } from './bytes.js';
import { decodeHeader, splitMessages } from './header.js';
import { encodeKeepalive } from './keepalive.js';
import { decodeRouteRefresh, encodeRouteRefresh } from './route-refresh.js';

const M = 'ff'.repeat(16);

describe('message header (RFC 4271 §4.1, §6.1)', () => {
  it.each([
    ['keepalive', `${M}001304`, { ok: true, type: 4, length: 19 }],
    ['open minimum', `${M}001d01`, { ok: true, type: 1, length: 29 }],
    ['bad marker', `${'ff'.repeat(15)}fe001304`, { ok: false, code: 1, subcode: 1 }],
    ['keepalive too long', `${M}001404`, { ok: false, code: 1, subcode: 2 }],
    ['update too short', `${M}001602`, { ok: false, code: 1, subcode: 2 }],
    ['update over 4096', `${M}100102`, { ok: false, code: 1, subcode: 2 }],
    ['unknown type', `${M}001306`, { ok: false, code: 1, subcode: 3 }],
    ['notification minimum', `${M}001503`, { ok: true, type: 3, length: 21 }],
  ])('%s', (_n, h, w) => {
    const want = w as { ok: boolean; type?: number; length?: number; code?: number; subcode?: number };
    const r = decodeHeader(fromHex(h));
    if (want.ok) expect(r).toEqual({ ok: true, value: { type: want.type, length: want.length } });
    else
      expect(r).toMatchObject({ ok: false, code: want.code, subcode: want.subcode, action: 'session-reset' });
  });

  it('allows 65535-byte UPDATEs only when extended messages are negotiated (RFC 8654)', () => {
    expect(decodeHeader(fromHex(`${M}ffff02`), 65535).ok).toBe(true);
    expect(decodeHeader(fromHex(`${M}ffff01`), 65535).ok).toBe(false); // OPEN stays ≤ 4096
  });

  it('frames a stream cut at every byte boundary', () => {
    const a = encodeKeepalive();
    const b = encodeRouteRefresh(1, 133);
    const stream = new Uint8Array([...a, ...b, ...a]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const first = splitMessages(stream.subarray(0, cut));
      const second = splitMessages(new Uint8Array([...first.rest, ...stream.subarray(cut)]));
      expect([...first.messages, ...second.messages].map((m) => m.type)).toEqual([4, 5, 4]);
      expect(second.rest.length).toBe(0);
    }
  });

  it('reports a broken header in the middle of a stream', () => {
    const r = splitMessages(fromHex(`${M}001304${'00'.repeat(19)}`));
    expect(r.messages).toHaveLength(1);
    expect(r.error).toMatchObject({ code: 1, subcode: 1 });
  });
});

describe('ROUTE-REFRESH (RFC 2918, RFC 7313)', () => {
  it('encodes and decodes AFI/SAFI and subtype', () => {
    expect(hex(encodeRouteRefresh(2, 133, 1))).toBe(`${M}00170500020185`);
    expect(decodeRouteRefresh(fromHex('00010085'))).toEqual({
      ok: true,
      value: { afi: 1, safi: 133, subtype: 0 },
    });
  });
  it('rejects a wrong length with ROUTE-REFRESH Message Error / Invalid Message Length', () => {
    expect(decodeRouteRefresh(fromHex('000100'))).toMatchObject({ ok: false, code: 7, subcode: 1 });
  });
});
