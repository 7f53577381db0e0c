// NLRI framing inside UPDATE and MP_REACH/MP_UNREACH: unicast prefixes (RFC 4271 §4.3, RFC 4760 §5) and the
// FlowSpec length prefix (RFC 8955 §4.1: one octet below 240, else 0xfnnn two octets; VPN FlowSpec the same,
// RFC 8955 §8). NLRIs stay as their wire bytes here; the flowspec module gives them meaning.
import { formatPrefix, type Prefix } from '../../net/index.js';
import { u8 } from './bytes.js';
import { Afi, Safi } from './constants.js';
import type { Rfc7606Action } from '../../flowspec/errors.js';
import { bgpError, ErrorCode, UpdateSubcode, ok, type BgpResult } from './errors.js';

export function encodePrefixNlri(p: Prefix): Uint8Array {
  const n = Math.ceil(p.length / 8);
  const out = new Uint8Array(1 + n);
  out[0] = p.length;
  out.set(p.bytes.subarray(0, n), 1);
  return out;
}

/** Decode one unicast NLRI (length octet + prefix bytes) as wire bytes. */
export function decodePrefixNlri(nlri: Uint8Array, family: 4 | 6): Prefix {
  const length = u8(nlri, 0);
  const bytes = new Uint8Array(family === 4 ? 4 : 16);
  bytes.set(nlri.subarray(1, 1 + Math.ceil(length / 8)));
  return { family, bytes, length };
}

export function formatPrefixNlri(nlri: Uint8Array, family: 4 | 6): string {
  return formatPrefix(decodePrefixNlri(nlri, family));
}

/** Split a field of unicast prefixes; each element is the NLRI's wire bytes. */
export function splitPrefixes(
  buf: Uint8Array,
  family: 4 | 6,
  action: Rfc7606Action = 'session-reset',
): BgpResult<Uint8Array[]> {
  const out: Uint8Array[] = [];
  const max = family === 4 ? 32 : 128;
  let o = 0;
  while (o < buf.length) {
    const len = u8(buf, o);
    if (len > max) {
      return bgpError(
        ErrorCode.UPDATE_MESSAGE,
        UpdateSubcode.INVALID_NETWORK_FIELD,
        `prefix length ${len} > ${max}`,
        action,
      );
    }
    const n = Math.ceil(len / 8);
    if (o + 1 + n > buf.length) {
      return bgpError(
        ErrorCode.UPDATE_MESSAGE,
        UpdateSubcode.INVALID_NETWORK_FIELD,
        'prefix runs past its field',
        action,
      );
    }
    // RFC 7606 §5.3 does not require trailing bits to be zero; we mask them so equal prefixes compare equal.
    const nlri = buf.slice(o, o + 1 + n);
    const rem = len % 8;
    if (rem !== 0 && n > 0) nlri[n] = (nlri[n] ?? 0) & ((0xff << (8 - rem)) & 0xff);
    out.push(nlri);
    o += 1 + n;
  }
  return ok(out);
}

/** Length prefix for a FlowSpec NLRI body of n bytes (RFC 8955 §4.1). */
export function flowSpecLengthPrefix(n: number): Uint8Array {
  if (n < 240) return Uint8Array.of(n);
  if (n > 4095) throw new Error(`FlowSpec NLRI of ${n} bytes exceeds 4095`);
  return Uint8Array.of(0xf0 | (n >>> 8), n & 0xff);
}

/** Split FlowSpec / VPN FlowSpec NLRIs by their length prefixes; each element keeps its length prefix. */
export function splitFlowSpec(buf: Uint8Array): BgpResult<Uint8Array[]> {
  const out: Uint8Array[] = [];
  let o = 0;
  while (o < buf.length) {
    const first = u8(buf, o);
    let hdr = 1;
    let len = first;
    if ((first & 0xf0) === 0xf0) {
      if (o + 2 > buf.length) return flowErr('truncated two-octet FlowSpec length');
      hdr = 2;
      len = ((first & 0x0f) << 8) | u8(buf, o + 1);
    }
    if (len === 0) return flowErr('FlowSpec NLRI of length 0');
    if (o + hdr + len > buf.length) return flowErr(`FlowSpec NLRI length ${len} runs past the attribute`);
    out.push(buf.slice(o, o + hdr + len));
    o += hdr + len;
  }
  return ok(out);
}

function flowErr(message: string): ReturnType<typeof bgpError> {
  // RFC 8955 §4.2 / RFC 7606 §5.3: an NLRI we cannot frame means we cannot find the rest: reset the session.
  return bgpError(ErrorCode.UPDATE_MESSAGE, UpdateSubcode.OPTIONAL_ATTRIBUTE, message, 'session-reset');
}

export function isFlowSpecSafi(safi: number): boolean {
  return safi === Safi.FLOWSPEC || safi === Safi.VPN_FLOWSPEC;
}

/** Split an NLRI field of the given AFI/SAFI. */
export function splitNlri(afi: number, safi: number, buf: Uint8Array): BgpResult<Uint8Array[]> {
  if (isFlowSpecSafi(safi)) return splitFlowSpec(buf);
  if (safi === Safi.UNICAST && (afi === Afi.IPV4 || afi === Afi.IPV6)) {
    return splitPrefixes(buf, afi === Afi.IPV4 ? 4 : 6);
  }
  return bgpError(
    ErrorCode.UPDATE_MESSAGE,
    UpdateSubcode.OPTIONAL_ATTRIBUTE,
    `unsupported AFI/SAFI ${afi}/${safi}`,
    'afi-safi-disable',
  );
}
