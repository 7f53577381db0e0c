// EXTENDED_COMMUNITIES (RFC 4360): 8-octet values, kept as bytes here; the flowspec module decodes FlowSpec
// actions from them. Length 0 or not a multiple of 8 → treat-as-withdraw (RFC 7606 §7.14).
import { concat } from '../bytes.js';
import { bgpError, ErrorCode, UpdateSubcode, ok, type BgpResult } from '../errors.js';

export function encodeExtCommunities(values: readonly Uint8Array[]): Uint8Array {
  for (const v of values)
    if (v.length !== 8) throw new Error(`extended community must be 8 bytes, got ${v.length}`);
  return concat(values);
}

export function decodeExtCommunities(v: Uint8Array): BgpResult<Uint8Array[]> {
  if (v.length === 0 || v.length % 8 !== 0) {
    return bgpError(
      ErrorCode.UPDATE_MESSAGE,
      UpdateSubcode.ATTRIBUTE_LENGTH,
      `EXTENDED_COMMUNITIES length ${v.length}`,
      'treat-as-withdraw',
    );
  }
  const out: Uint8Array[] = [];
  for (let o = 0; o < v.length; o += 8) out.push(v.slice(o, o + 8));
  return ok(out);
}
