// ORIGIN (RFC 4271 §5.1.1): IGP 0, EGP 1, INCOMPLETE 2. Malformed → treat-as-withdraw (RFC 7606 §7.1).
import { bgpError, ErrorCode, UpdateSubcode, ok, type BgpResult } from '../errors.js';

export type Origin = 0 | 1 | 2;
export const ORIGIN_NAMES: Readonly<Record<Origin, string>> = { 0: 'igp', 1: 'egp', 2: 'incomplete' };

export function encodeOrigin(o: Origin): Uint8Array {
  return Uint8Array.of(o);
}

export function decodeOrigin(v: Uint8Array): BgpResult<Origin> {
  if (v.length !== 1) {
    return bgpError(
      ErrorCode.UPDATE_MESSAGE,
      UpdateSubcode.ATTRIBUTE_LENGTH,
      `ORIGIN length ${v.length}`,
      'treat-as-withdraw',
    );
  }
  const o = v[0] ?? 0;
  if (o > 2)
    return bgpError(
      ErrorCode.UPDATE_MESSAGE,
      UpdateSubcode.INVALID_ORIGIN,
      `ORIGIN ${o}`,
      'treat-as-withdraw',
      v.slice(),
    );
  return ok(o as Origin);
}
