// MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760 §3, §4). FlowSpec carries a next hop of length 0 (RFC 8955 §4),
// or the redirect-to-IP address; IPv6 unicast 16 or 32 (global + link-local) bytes. Any malformation here
// means the NLRIs cannot be found: session reset (RFC 7606 §7.11) — or AFI/SAFI disable for a family we
// did not negotiate. NLRIs are kept as wire bytes (see nlri.ts).
import { u16, u8, Writer } from '../bytes.js';
import { bgpError, ErrorCode, UpdateSubcode, ok, type BgpResult } from '../errors.js';
import { splitNlri } from '../nlri.js';

export interface MpReach {
  readonly afi: number;
  readonly safi: number;
  /** Next hop bytes as sent (0, 4, 16 or 32 bytes). */
  readonly nextHop: Uint8Array;
  readonly nlri: readonly Uint8Array[];
}

export interface MpUnreach {
  readonly afi: number;
  readonly safi: number;
  readonly nlri: readonly Uint8Array[];
}

export function encodeMpReach(m: MpReach): Uint8Array {
  const w = new Writer(5 + m.nextHop.length);
  w.u16(m.afi).u8(m.safi).u8(m.nextHop.length).bytes(m.nextHop).u8(0);
  for (const n of m.nlri) w.bytes(n);
  return w.finish();
}

export function encodeMpUnreach(m: MpUnreach): Uint8Array {
  const w = new Writer(3);
  w.u16(m.afi).u8(m.safi);
  for (const n of m.nlri) w.bytes(n);
  return w.finish();
}

const VALID_NH: Readonly<Record<number, readonly number[]>> = { 1: [0, 4, 16, 32], 2: [0, 16, 32] };

export function decodeMpReach(v: Uint8Array): BgpResult<MpReach> {
  if (v.length < 5)
    return bgpError(
      ErrorCode.UPDATE_MESSAGE,
      UpdateSubcode.OPTIONAL_ATTRIBUTE,
      `MP_REACH_NLRI length ${v.length}`,
    );
  const afi = u16(v, 0);
  const safi = u8(v, 2);
  const nhLen = u8(v, 3);
  if (5 + nhLen > v.length) {
    return bgpError(
      ErrorCode.UPDATE_MESSAGE,
      UpdateSubcode.OPTIONAL_ATTRIBUTE,
      `MP_REACH next hop length ${nhLen} runs past the attribute`,
    );
  }
  const allowed = VALID_NH[afi];
  if (allowed && !allowed.includes(nhLen)) {
    // RFC 7606 §7.11: a next hop length we cannot accept for the family → session reset or AFI/SAFI disable.
    return bgpError(
      ErrorCode.UPDATE_MESSAGE,
      UpdateSubcode.OPTIONAL_ATTRIBUTE,
      `MP_REACH next hop length ${nhLen} invalid for AFI ${afi}`,
      'afi-safi-disable',
    );
  }
  const nextHop = v.slice(4, 4 + nhLen);
  // one reserved octet (formerly SNPAs); RFC 4760 §3 says ignore its value
  const nlri = splitNlri(afi, safi, v.subarray(5 + nhLen));
  if (!nlri.ok) return nlri;
  return ok({ afi, safi, nextHop, nlri: nlri.value });
}

export function decodeMpUnreach(v: Uint8Array): BgpResult<MpUnreach> {
  if (v.length < 3)
    return bgpError(
      ErrorCode.UPDATE_MESSAGE,
      UpdateSubcode.OPTIONAL_ATTRIBUTE,
      `MP_UNREACH_NLRI length ${v.length}`,
    );
  const afi = u16(v, 0);
  const safi = u8(v, 2);
  const nlri = splitNlri(afi, safi, v.subarray(3));
  if (!nlri.ok) return nlri;
  return ok({ afi, safi, nlri: nlri.value });
}
